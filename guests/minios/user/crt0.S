/* User programs start here (USER_IMAGE) in U-mode with a0 = program, a1 = argument, sp = USER_TOP. */
        .section .text.init, "ax"
        .globl  _ustart
_ustart:
        call    umain
        call    exit
