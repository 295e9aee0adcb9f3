/* Recursion, function pointers and a jump table. */
#include "common.h"

static uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint32_t ack(uint32_t m, uint32_t n) {
  if (m == 0) return n + 1;
  if (n == 0) return ack(m - 1, 1);
  return ack(m - 1, ack(m, n - 1));
}

static uint32_t op_add(uint32_t a, uint32_t b) { return a + b; }
static uint32_t op_mul(uint32_t a, uint32_t b) { return a * b; }
static uint32_t op_xor(uint32_t a, uint32_t b) { return a ^ b; }
static uint32_t op_sub(uint32_t a, uint32_t b) { return a - b; }
static uint32_t (*const volatile kOps[4])(uint32_t, uint32_t) = {op_add, op_mul, op_xor, op_sub};

__attribute__((noinline)) static uint32_t jump_table(uint32_t x) {
  switch (x) {
    case 0: return 11;
    case 1: return 23;
    case 2: return 37;
    case 3: return 41;
    case 4: return 53;
    case 5: return 67;
    case 6: return 71;
    case 7: return 89;
    case 8: return 97;
    case 9: return 101;
    default: return x * 3;
  }
}

int main(void) {
  basalt_print_hex32(fib(20));
  basalt_print_hex32(ack(2, 3));
  uint32_t acc = 1;
  for (uint32_t i = 0; i < 40; ++i) {
    acc = kOps[i % 4](acc, i + 7);
    acc += jump_table(i % 13);
  }
  basalt_print_hex32(acc);
  basalt_print("control done\n");
  return (int)(acc % 100);
}
