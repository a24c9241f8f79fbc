; SPDX-License-Identifier: MIT
;
; mm64 boot stub: multiboot2 header, 32-bit entry, long mode, higher half.
;
; GRUB loads the kernel at 18 MiB physical (linker.ld) and jumps to _start32 in 32-bit
; protected mode (paging off, EAX = multiboot2 magic, EBX = info block).
; This file:
;   1. checks the magic and that the CPU has long mode (a clear message on
;      COM1 and a stop otherwise: QEMU exits through isa-debug-exit, real
;      hardware halts);
;   2. zeroes .bss (the boot page tables and the stack live there);
;   3. builds the boot page tables:
;        0x0000000000000000 -> phys 0     first 4 GiB, identity (only for the
;                                         switch; kernel_main removes it)
;        0xffff800000000000 -> phys 0     direct map of the first 4 GiB
;                                         (1 GiB pages if CPUID says so,
;                                          2 MiB pages otherwise)
;        0xffffffff80000000 -> phys 0     the kernel window, 1 GiB of 2 MiB
;                                         pages (the kernel is linked at
;                                         0xffffffff81200000)
;      kernel/directmap.c extends the direct map to all RAM later;
;   4. enables PAE, EFER.LME (and EFER.NXE when the CPU has NX), paging;
;   5. loads a 64-bit GDT, far-jumps to 64-bit code, moves to the higher
;      half and calls kernel_main(magic, mbi_phys) on boot_stack with
;      rbp = 0, the root of every frame-pointer stack trace.
;
; The page tables lie between boot_page_tables_start and
; boot_page_tables_end (exported so they are reserved), the stack between
; boot_stack_bottom and boot_stack_top with a 4 KiB guard page below it
; (boot_stack_guard) that kernel/paging.c unmaps.

%define KERNEL_VMA      0xffffffff80000000
%define PHYS(x)         ((x) - KERNEL_VMA)

%define MB2_MAGIC       0xe85250d6      ; in the header
%define MB2_BOOT_MAGIC  0x36d76289      ; in EAX at entry
%define MB2_ARCH_I386   0

%define COM1            0x3f8
%define QEMU_EXIT_PORT  0xf4
%define QEMU_EXIT_BOOT_FAIL 0x12        ; same status as a panic (37)

%define PTE_P           (1 << 0)
%define PTE_W           (1 << 1)
%define PTE_PS          (1 << 7)

%define STACK_SIZE      (64 * 1024)

section .note.GNU-stack noalloc noexec nowrite progbits

extern __bss_start, __bss_end

; ---------------------------------------------------------------------------
; The multiboot2 header: first thing in the image (linker.ld puts .multiboot
; first and asserts it lies within the first 32 KiB).
section .multiboot progbits alloc noexec nowrite align=8
global mb2_header
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Information request (type 1). Optional (flags = 1): GRUB may leave
	; out a tag it cannot give (e.g. no new RSDP on an ACPI 1.0 machine).
	align 8
.info_req:
	dw 1, 1
	dd .info_req_end - .info_req
	dd 1            ; boot command line
	dd 3            ; modules
	dd 4            ; basic memory information
	dd 6            ; memory map
	dd 9            ; ELF sections
	dd 14           ; ACPI old RSDP
	dd 15           ; ACPI new RSDP
.info_req_end:

	; Entry address (type 3): the physical entry, so GRUB need not
	; translate the ELF's higher-half e_entry.
	align 8
.entry:
	dw 3, 0
	dd 12
	dd PHYS(_start32)

	; End tag.
	align 8
	dw 0, 0
	dd 8
mb2_header_end:

; ---------------------------------------------------------------------------
section .text.boot progbits alloc exec nowrite align=16
bits 32

global _start32
_start32:
	cli
	cld
	mov [PHYS(boot_magic)], eax
	mov [PHYS(boot_mbi)], ebx
	mov esp, PHYS(boot_stack_top)

	call serial_init32

	cmp eax, MB2_BOOT_MAGIC
	jne .bad_magic

	; CPUID itself: EFLAGS.ID (bit 21) must be writable.
	pushfd
	pop eax
	mov ecx, eax
	xor eax, 1 << 21
	push eax
	popfd
	pushfd
	pop eax
	push ecx
	popfd
	cmp eax, ecx
	je .no_cpuid

	; Long mode: extended leaf 0x80000001, EDX bit 29.
	mov eax, 0x80000000
	cpuid
	cmp eax, 0x80000001
	jb .no_long_mode
	mov eax, 0x80000001
	cpuid
	test edx, 1 << 29
	jz .no_long_mode
	mov [PHYS(boot_cpu_ext_edx)], edx

	; Zero .bss inline: the stack is in it, so no call may span this.
	mov edi, PHYS(__bss_start)
	mov ecx, PHYS(__bss_end)
	sub ecx, edi
	shr ecx, 2
	xor eax, eax
	rep stosd
	call build_page_tables32

	; PAE (CR4 bit 5) and PGE (bit 7).
	mov eax, cr4
	or eax, (1 << 5) | (1 << 7)
	mov cr4, eax

	mov eax, PHYS(boot_pml4)
	mov cr3, eax

	; EFER: LME (bit 8), NXE (bit 11) when the CPU has NX (EDX bit 20).
	mov ecx, 0xc0000080
	rdmsr
	or eax, 1 << 8
	test dword [PHYS(boot_cpu_ext_edx)], 1 << 20
	jz .no_nx
	or eax, 1 << 11
.no_nx:
	wrmsr

	; Paging (bit 31) and write protection in ring 0 (bit 16).
	mov eax, cr0
	or eax, (1 << 31) | (1 << 16)
	mov cr0, eax

	lgdt [PHYS(gdt64_ptr32)]
	jmp GDT_KCODE:PHYS(long_mode_low)

.bad_magic:
	mov esi, PHYS(msg_bad_magic)
	jmp boot_fail32
.no_cpuid:
	mov esi, PHYS(msg_no_cpuid)
	jmp boot_fail32
.no_long_mode:
	mov esi, PHYS(msg_no_long_mode)
	jmp boot_fail32

; boot_fail32: prints the NUL-terminated string at ESI, then stops.
boot_fail32:
	call serial_puts32
	mov dx, QEMU_EXIT_PORT
	mov al, QEMU_EXIT_BOOT_FAIL
	out dx, al
.halt:
	cli
	hlt
	jmp .halt

; serial_init32: COM1, 115200 8N1, FIFO on. Preserves EAX.
serial_init32:
	push eax
	mov dx, COM1 + 1
	xor al, al
	out dx, al              ; interrupts off
	mov dx, COM1 + 3
	mov al, 0x80
	out dx, al              ; DLAB on
	mov dx, COM1 + 0
	mov al, 1
	out dx, al              ; divisor 1 = 115200 baud
	mov dx, COM1 + 1
	xor al, al
	out dx, al
	mov dx, COM1 + 3
	mov al, 0x03
	out dx, al              ; 8N1, DLAB off
	mov dx, COM1 + 2
	mov al, 0xc7
	out dx, al              ; FIFO on, cleared, 14-byte threshold
	mov dx, COM1 + 4
	mov al, 0x03
	out dx, al              ; DTR, RTS
	pop eax
	ret

; serial_puts32: the NUL-terminated string at ESI.
serial_puts32:
.next:
	mov bl, [esi]
	test bl, bl
	jz .done
	mov ecx, 100000         ; bounded wait: no UART must not hang us
	mov dx, COM1 + 5
.wait:
	in al, dx
	test al, 0x20
	jnz .ready
	loop .wait
.ready:
	mov dx, COM1
	mov al, bl
	out dx, al
	inc esi
	jmp .next
.done:
	ret

; build_page_tables32: fills the (zeroed) tables described at the top.
build_page_tables32:
	; PML4[0] (identity) and PML4[256] (direct map) share one PDPT.
	mov eax, PHYS(boot_pdpt_low) + (PTE_P | PTE_W)
	mov [PHYS(boot_pml4) + 0 * 8], eax
	mov [PHYS(boot_pml4) + 256 * 8], eax
	mov eax, PHYS(boot_pdpt_high) + (PTE_P | PTE_W)
	mov [PHYS(boot_pml4) + 511 * 8], eax

	; First 4 GiB: 1 GiB pages when CPUID 0x80000001 EDX bit 26 (pdpe1gb).
	test dword [PHYS(boot_cpu_ext_edx)], 1 << 26
	jz .two_meg
	mov edi, PHYS(boot_pdpt_low)
	mov eax, PTE_P | PTE_W | PTE_PS
	mov ecx, 4
.gig:
	mov [edi], eax          ; the high dword stays 0: below 4 GiB
	add eax, 0x40000000
	add edi, 8
	loop .gig
	jmp .kernel_window

.two_meg:
	; PDPT_low[0..3] -> the four boot_pd_low pages, 2048 2 MiB entries.
	mov edi, PHYS(boot_pdpt_low)
	mov eax, PHYS(boot_pd_low) + (PTE_P | PTE_W)
	mov ecx, 4
.pdpt:
	mov [edi], eax
	add eax, 4096
	add edi, 8
	loop .pdpt
	mov edi, PHYS(boot_pd_low)
	mov eax, PTE_P | PTE_W | PTE_PS
	mov ecx, 4 * 512
.pd_low:
	mov [edi], eax
	add eax, 0x200000
	add edi, 8
	loop .pd_low

.kernel_window:
	; PDPT_high[510] (0xffffffff80000000) -> PD_high: 1 GiB of 2 MiB pages.
	mov eax, PHYS(boot_pd_high) + (PTE_P | PTE_W)
	mov [PHYS(boot_pdpt_high) + 510 * 8], eax
	mov edi, PHYS(boot_pd_high)
	mov eax, PTE_P | PTE_W | PTE_PS
	mov ecx, 512
.pd_high:
	mov [edi], eax
	add eax, 0x200000
	add edi, 8
	loop .pd_high
	ret

; ---------------------------------------------------------------------------
bits 64

; Still at the physical (identity-mapped) address: move to the higher half.
long_mode_low:
	mov ax, GDT_KDATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	xor eax, eax
	mov fs, ax
	mov gs, ax
	mov rax, long_mode_high
	jmp rax

section .text
long_mode_high:
	; The GDT again, now through its higher-half address, so it stays
	; reachable once the identity map is gone.
	lgdt [rel gdt64_ptr64]
	mov rsp, boot_stack_top
	xor ebp, ebp            ; the root frame of every stack trace
	mov edi, [rel boot_magic]
	mov esi, [rel boot_mbi] ; zero-extends: the info block is below 4 GiB
	extern kernel_main
	call kernel_main
.halt:
	cli
	hlt
	jmp .halt

; ---------------------------------------------------------------------------
section .rodata
align 16
GDT_KCODE equ gdt64.kcode - gdt64
GDT_KDATA equ gdt64.kdata - gdt64
gdt64:
	dq 0
.kcode:
	dq 0x00af9a000000ffff   ; 64-bit code, DPL 0
.kdata:
	dq 0x00cf92000000ffff   ; data, DPL 0
gdt64_end:

gdt64_ptr32:
	dw gdt64_end - gdt64 - 1
	dd PHYS(gdt64)
align 8
gdt64_ptr64:
	dw gdt64_end - gdt64 - 1
	dq gdt64

msg_bad_magic:
	db "mm64: not started by a multiboot2 loader (bad magic in EAX); boot with GRUB's multiboot2 command", 13, 10, 0
msg_no_cpuid:
	db "mm64: this CPU has no CPUID instruction; mm64 needs an x86-64 CPU", 13, 10, 0
msg_no_long_mode:
	db "mm64: this CPU does not support long mode (64-bit); mm64 needs an x86-64 CPU", 13, 10, 0

section .data
align 8
global boot_magic, boot_mbi, boot_cpu_ext_edx
boot_magic:       dd 0
boot_mbi:         dd 0
boot_cpu_ext_edx: dd 0  ; CPUID 0x80000001 EDX as seen by the stub

; ---------------------------------------------------------------------------
section .bss nobits alloc noexec write align=4096
global boot_page_tables_start, boot_page_tables_end
global boot_pml4, boot_pdpt_low, boot_pd_low, boot_pdpt_high, boot_pd_high
global boot_stack_guard, boot_stack_bottom, boot_stack_top
alignb 4096
boot_page_tables_start:
boot_pml4:      resb 4096
boot_pdpt_low:  resb 4096
boot_pd_low:    resb 4 * 4096
boot_pdpt_high: resb 4096
boot_pd_high:   resb 4096
boot_page_tables_end:

alignb 4096
boot_stack_guard:  resb 4096    ; unmapped by kernel/paging.c
boot_stack_bottom: resb STACK_SIZE
boot_stack_top:
