// Writes N photo-sized JPEGs (default 4000x3000 RGB, quality 90) into class folders under DIR,
// for measuring the memory `lens` needs on large photos. Smooth gradients plus noise, so the
// files compress like photos (a few MB each), not like flat colour.
// Build: cc -O2 make-large-jpegs.c -ljpeg -o make-large-jpegs
// Use:   make-large-jpegs DIR [COUNT [WIDTH HEIGHT]]
#include <stdio.h>
#include <stdlib.h>
#include <jpeglib.h>

int main(int argc, char **argv) {
    if (argc < 2) { fprintf(stderr, "usage: %s DIR [COUNT [WIDTH HEIGHT]]\n", argv[0]); return 2; }
    int count = argc > 2 ? atoi(argv[2]) : 20;
    int width = argc > 4 ? atoi(argv[3]) : 4000, height = argc > 4 ? atoi(argv[4]) : 3000;
    unsigned char *row = malloc((size_t)width * 3);
    unsigned int noise = 12345;
    for (int n = 0; n < count; n++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s/%02d.jpg", argv[1], n % 2 ? "b" : "a", n);
        FILE *file = fopen(path, "wb");
        if (!file) { perror(path); return 1; }
        struct jpeg_compress_struct info;
        struct jpeg_error_mgr errors;
        info.err = jpeg_std_error(&errors);
        jpeg_create_compress(&info);
        jpeg_stdio_dest(&info, file);
        info.image_width = width;
        info.image_height = height;
        info.input_components = 3;
        info.in_color_space = JCS_RGB;
        jpeg_set_defaults(&info);
        jpeg_set_quality(&info, 90, TRUE);
        jpeg_start_compress(&info, TRUE);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                noise = noise * 1103515245u + 12345u;
                int jitter = (int)(noise >> 27);
                row[3 * x] = (unsigned char)((x * 255 / width + n * 20 + jitter) & 255);
                row[3 * x + 1] = (unsigned char)((y * 255 / height + jitter) & 255);
                row[3 * x + 2] = (unsigned char)(((x + y) * 128 / (width + height) + 64 + jitter) & 255);
            }
            JSAMPROW rows[1] = { row };
            jpeg_write_scanlines(&info, rows, 1);
        }
        jpeg_finish_compress(&info);
        jpeg_destroy_compress(&info);
        fclose(file);
    }
    free(row);
    return 0;
}
