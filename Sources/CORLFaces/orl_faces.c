#include "orl_faces.h"

// The archive is compiled in (C23 #embed, which clang also accepts in older modes) so that the
// `lens` executable alone carries the faces: no resource bundle to lose when it is copied.
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wc23-extensions"
static const unsigned char archive[] = {
#embed "orl-faces.tar.gz"
};
#pragma clang diagnostic pop

const unsigned char *lens_orl_faces_archive(void) { return archive; }

size_t lens_orl_faces_archive_size(void) { return sizeof archive; }
