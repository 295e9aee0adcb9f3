// The image id: a SHA-256 commitment to everything that determines a guest's execution, namely the
// loaded memory image and the entry point:
//
//   image_id = SHA-256( "basalt.vm.image.v1"                 18 ASCII bytes
//                       || le_u32 entry || le_u32 segment_count
//                       || for each segment, by ascending vaddr:
//                          le_u32 vaddr || le_u32 memsz || u8 flags (ELF R=4 W=2 X=1)
//                          || the memsz loaded bytes (file bytes, then zeros) )
//
// Section headers, symbols and file layout do not enter it: two ELFs that load the same bytes at
// the same places with the same permissions and entry have the same id; changing any loaded byte
// changes it.
#pragma once

#include "core/bytes.hpp"
#include "vm/elf.hpp"

namespace basalt::vm {

using ImageId = core::Strong32<struct ImageIdTag>;

ImageId image_id(const ElfImage& image);

}  // namespace basalt::vm
