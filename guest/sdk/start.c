/* Start-up code: set the stack pointer to the top of the linker script's stack, run main, exit. */
#include "basalt/guest.h"

void basalt_start_main(void) { basalt_exit(main()); }

__attribute__((naked, section(".text.start"))) void _start(void) {
  __asm__ volatile(
      "la sp, __stack_top\n"
      "call basalt_start_main\n");
}
