#include "jpeg_shim.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jpeglib.h>
#include <jerror.h>

typedef struct {
    struct jpeg_error_mgr base;
    jmp_buf jump;
} shim_error_manager;

static void shim_error_exit(j_common_ptr info) {
    shim_error_manager *manager = (shim_error_manager *)info->err;
    longjmp(manager->jump, 1);
}

// A warning (level -1) about the data makes the file an error: libjpeg would go on and hand back
// gray padding or garbage below the damage. Only warnings that leave the pixels intact pass.
static void shim_emit_message(j_common_ptr info, int level) {
    if (level != -1) return;
    switch (info->err->msg_code) {
    case JWRN_ADOBE_XFORM:      // unknown colour transform code: decoded as the default one
    case JWRN_JFIF_MAJOR:       // a newer JFIF revision number
    case JWRN_BOGUS_ICC:        // we do not use the ICC profile
        return;
    default:
        info->err->error_exit(info);
    }
}

static void shim_output_message(j_common_ptr info) { (void)info; }

static void copy_message(j_common_ptr info, char *message, size_t capacity) {
    char buffer[JMSG_LENGTH_MAX];
    info->err->format_message(info, buffer);
    snprintf(message, capacity, "%s", buffer);
}

// Adobe-marked CMYK JPEGs (Photoshop, PIL, libjpeg) store inverted ink values; others store plain ones.
static void cmyk_to_rgb(const unsigned char *cmyk, unsigned char *rgb, int width, int inverted) {
    for (int x = 0; x < width; x++) {
        int c = cmyk[4 * x], m = cmyk[4 * x + 1], y = cmyk[4 * x + 2], k = cmyk[4 * x + 3];
        if (!inverted) { c = 255 - c; m = 255 - m; y = 255 - y; k = 255 - k; }
        // (255 - C)(255 - K)/255 with the stored "inverted" values: rounded like PIL's MULDIV255.
        int t;
        t = c * k + 128; rgb[3 * x] = (unsigned char)((t + (t >> 8)) >> 8);
        t = m * k + 128; rgb[3 * x + 1] = (unsigned char)((t + (t >> 8)) >> 8);
        t = y * k + 128; rgb[3 * x + 2] = (unsigned char)((t + (t >> 8)) >> 8);
    }
}

// The smallest DCT scale M/8 (M = 1...8) whose output still has a shorter side of at least min_side.
static int smallest_scale(unsigned int width, unsigned int height, int min_side) {
    unsigned int shorter = width < height ? width : height;
    for (int m = 1; m < 8; m++) {
        if ((shorter * (unsigned int)m + 7) / 8 >= (unsigned int)min_side) return m;
    }
    return 8;
}

lens_jpeg_status lens_jpeg_decode(const unsigned char *data, size_t size, long long max_pixels, int min_side,
                                  lens_jpeg_image *out) {
    memset(out, 0, sizeof *out);
    struct jpeg_decompress_struct info;
    shim_error_manager manager;
    // volatile: these are changed between setjmp and a possible longjmp.
    unsigned char *volatile pixels = NULL;
    unsigned char *volatile row = NULL;

    info.err = jpeg_std_error(&manager.base);
    manager.base.error_exit = shim_error_exit;
    manager.base.emit_message = shim_emit_message;
    manager.base.output_message = shim_output_message;
    if (setjmp(manager.jump)) {
        copy_message((j_common_ptr)&info, out->message, sizeof out->message);
        jpeg_destroy_decompress(&info);
        free(pixels);
        free(row);
        return LENS_JPEG_ERROR;
    }
    jpeg_create_decompress(&info);
    jpeg_mem_src(&info, data, (unsigned long)size);
    jpeg_read_header(&info, TRUE);

    out->width = out->source_width = (int)info.image_width;
    out->height = out->source_height = (int)info.image_height;
    if ((long long)info.image_width * (long long)info.image_height > max_pixels) {
        jpeg_destroy_decompress(&info);
        return LENS_JPEG_TOO_LARGE;
    }
    if (min_side > 0) {
        info.scale_num = (unsigned int)smallest_scale(info.image_width, info.image_height, min_side);
        info.scale_denom = 8;
    }

    int cmyk = info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK;
    if (cmyk) {
        info.out_color_space = JCS_CMYK;
    } else if (info.jpeg_color_space == JCS_GRAYSCALE) {
        info.out_color_space = JCS_GRAYSCALE;
    } else {
        info.out_color_space = JCS_RGB;
    }
    jpeg_start_decompress(&info);

    int width = (int)info.output_width;
    int channels = cmyk ? 3 : info.output_components;
    pixels = malloc((size_t)width * (size_t)info.output_height * (size_t)channels);
    if (cmyk) row = malloc((size_t)width * 4);
    if (pixels == NULL || (cmyk && row == NULL)) {
        jpeg_destroy_decompress(&info);
        free(pixels);
        free(row);
        return LENS_JPEG_OUT_OF_MEMORY;
    }
    while (info.output_scanline < info.output_height) {
        unsigned char *target = pixels + (size_t)info.output_scanline * (size_t)width * (size_t)channels;
        JSAMPROW rows[1] = { cmyk ? row : target };
        jpeg_read_scanlines(&info, rows, 1);
        if (cmyk) cmyk_to_rgb(row, target, width, info.saw_Adobe_marker);
    }
    jpeg_finish_decompress(&info);
    jpeg_destroy_decompress(&info);
    free(row);

    out->pixels = pixels;
    out->width = width;
    out->height = (int)info.output_height;
    out->channels = channels;
    return LENS_JPEG_OK;
}

void lens_jpeg_free(lens_jpeg_image *image) {
    free(image->pixels);
    image->pixels = NULL;
}
