# CMake toolchain file for basalt guests: the system clang targeting bare-metal RV32IM (ilp32, no
# compressed instructions) and lld. Guests are freestanding: no libc, no exceptions, no RTTI.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR riscv32)
set(CMAKE_C_COMPILER clang)
set(CMAKE_CXX_COMPILER clang++)
set(CMAKE_ASM_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET riscv32-unknown-elf)
set(CMAKE_CXX_COMPILER_TARGET riscv32-unknown-elf)
set(CMAKE_ASM_COMPILER_TARGET riscv32-unknown-elf)
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

# The flags live in guest-flags.rsp and guest-link.rsp, which `basalt guest build` hands clang too.
file(READ ${CMAKE_CURRENT_LIST_DIR}/guest-flags.rsp BASALT_GUEST_FLAGS)
string(STRIP "${BASALT_GUEST_FLAGS}" BASALT_GUEST_FLAGS)
file(READ ${CMAKE_CURRENT_LIST_DIR}/guest-link.rsp BASALT_GUEST_LINK_FLAGS)
string(STRIP "${BASALT_GUEST_LINK_FLAGS}" BASALT_GUEST_LINK_FLAGS)
set(CMAKE_C_FLAGS_INIT "${BASALT_GUEST_FLAGS}")
set(CMAKE_CXX_FLAGS_INIT "${BASALT_GUEST_FLAGS} -fno-exceptions -fno-rtti")
set(CMAKE_ASM_FLAGS_INIT "${BASALT_GUEST_FLAGS}")
set(CMAKE_EXE_LINKER_FLAGS_INIT "${BASALT_GUEST_LINK_FLAGS}")
