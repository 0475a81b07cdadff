#pragma once
#include <stddef.h>

/// Outcome of lens_jpeg_decode.
typedef enum {
    LENS_JPEG_OK = 0,
    LENS_JPEG_ERROR = 1,        // message holds libjpeg's reason
    LENS_JPEG_TOO_LARGE = 2,    // width * height exceeds max_pixels; width and height are set
    LENS_JPEG_OUT_OF_MEMORY = 3
} lens_jpeg_status;

/// A decoded JPEG: 8-bit samples, row-major, channels interleaved (1 = gray, 3 = RGB).
typedef struct {
    unsigned char *pixels;      // malloc'ed; release with lens_jpeg_free
    int width;                  // of the decoded pixels (smaller than the file's when scaled)
    int height;
    int source_width;           // as the file's header says
    int source_height;
    int channels;
    char message[200];          // a reason when status is LENS_JPEG_ERROR
} lens_jpeg_image;

/// Decodes a whole JPEG held in memory. libjpeg's fatal errors come back as a status and a message
/// (through setjmp/longjmp inside the shim), never as exit(). Gray stays gray; YCbCr, RGB, CMYK
/// and YCCK become RGB. libjpeg's warnings about the data ("Premature end of JPEG file", "Corrupt
/// JPEG data: ...") are errors here, not warnings.
/// The header's dimensions are checked against max_pixels before any pixel memory is allocated.
/// With min_side > 0 the image is decoded at the smallest DCT scale (1/8, 2/8, ... 8/8) whose
/// shorter side is still at least min_side: a 4000x3000 photo wanted at 64x64 is decoded at
/// 500x375, never whole; entropy decoding (and so every check of the data) still covers the file.
lens_jpeg_status lens_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels, int min_side,
                                  lens_jpeg_image *out);

void lens_jpeg_free(lens_jpeg_image *image);
