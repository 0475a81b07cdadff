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
    int width;
    int height;
    int channels;
    char message[200];          // a reason when status is LENS_JPEG_ERROR
} lens_jpeg_image;

/// Decodes a whole JPEG held in memory. libjpeg's fatal errors come back as a status and a message
/// (through setjmp/longjmp inside the shim), never as exit(). Gray stays gray; YCbCr, RGB, CMYK
/// and YCCK become RGB. libjpeg's warnings about the data ("Premature end of JPEG file", "Corrupt
/// JPEG data: ...") are errors here, not warnings.
/// The header's dimensions are checked against max_pixels before any pixel memory is allocated.
lens_jpeg_status lens_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels,
                                  lens_jpeg_image *out);

void lens_jpeg_free(lens_jpeg_image *image);
