/* The user image (a flat binary built from user/), carried inside the kernel. */
        .section .rodata
        .align  12
        .globl  user_image_start, user_image_end
user_image_start:
        .incbin "user.bin"
user_image_end:
