; SPDX-License-Identifier: MIT
;
; The application processors' way from real mode to kernel_ap_main().
;
; A start-up IPI wakes an AP in 16-bit real mode at CS:IP = (vector << 8):0,
; so this code must sit in a page below 1 MiB: kernel/smp.c copies the bytes
; between ap_trampoline_start and ap_trampoline_end to AP_TRAMPOLINE_PHYS
; and fills in the parameter block at their end before each AP's start-up:
;
;   +0  u32 cr3 for the switch: a PML4 that maps this page 1:1 as well as
;           the kernel (the kernel's own has no identity map any more)
;   +8  u64 cr0 and +16 u64 cr4, the BSP's (paging, write protect, PAE, PGE)
;   +24 u64 EFER (LME, NXE as on the BSP)
;   +32 u64 the kernel's cr3, loaded once in the higher half
;   +40 u64 the AP's stack top     +48 u64 its struct percpu *
;   +56 u64 ap_entry64's address
;
; 16-bit: load the trampoline's GDT, set CR0.PE, far jump to 32-bit code;
; 32-bit: CR4, CR3, EFER, then CR0 with paging, far jump to 64-bit code;
; 64-bit, still at the low address: the stack, the argument, jump to
; ap_entry64 in the kernel image, which switches to the kernel's page tables
; and calls kernel_ap_main(percpu) with rbp = 0 (a stack trace's root).

section .note.GNU-stack noalloc noexec nowrite progbits

%define AP_TRAMPOLINE_PHYS 0x8000       ; kernel/smp.h
%define LOW(x) (AP_TRAMPOLINE_PHYS + (x) - ap_trampoline_start)

TRAMP_CODE64 equ 0x08
TRAMP_DATA   equ 0x10
TRAMP_CODE32 equ 0x18

; Copied, never run in place: read-only data in the image.
section .rodata
align 16
global ap_trampoline_start, ap_trampoline_end, ap_trampoline_params
bits 16
ap_trampoline_start:
	cli
	cld
	xor ax, ax
	mov ds, ax
	o32 lgdt [LOW(tramp_gdt_ptr)]
	mov eax, cr0
	or eax, 1                       ; PE
	mov cr0, eax
	jmp dword TRAMP_CODE32:LOW(tramp_32)

bits 32
tramp_32:
	mov ax, TRAMP_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov eax, [LOW(ap_trampoline_params) + 16]
	mov cr4, eax
	mov eax, [LOW(ap_trampoline_params) + 0]
	mov cr3, eax
	mov ecx, 0xc0000080             ; EFER
	mov eax, [LOW(ap_trampoline_params) + 24]
	xor edx, edx
	wrmsr
	mov eax, [LOW(ap_trampoline_params) + 8]
	mov cr0, eax                    ; paging on: long mode is active
	jmp TRAMP_CODE64:LOW(tramp_64)

bits 64
tramp_64:
	mov ax, TRAMP_DATA
	mov ds, ax
	mov es, ax
	mov ss, ax
	mov rsp, [LOW(ap_trampoline_params) + 40]
	mov rdi, [LOW(ap_trampoline_params) + 48]
	mov rsi, [LOW(ap_trampoline_params) + 32]
	mov rax, [LOW(ap_trampoline_params) + 56]
	jmp rax

align 16
tramp_gdt:
	dq 0
	dq 0x00af9a000000ffff           ; 0x08: 64-bit code
	dq 0x00cf92000000ffff           ; 0x10: data
	dq 0x00cf9a000000ffff           ; 0x18: 32-bit code
tramp_gdt_end:
tramp_gdt_ptr:
	dw tramp_gdt_end - tramp_gdt - 1
	dd LOW(tramp_gdt)

align 8
ap_trampoline_params:
	times 8 dq 0
ap_trampoline_end:

section .text
bits 64
global ap_entry64
extern kernel_ap_main
; rdi = struct percpu *, rsi = the kernel's cr3; on the AP's own stack.
ap_entry64:
	mov cr3, rsi
	xor ebp, ebp
	call kernel_ap_main
.halt:
	cli
	hlt
	jmp .halt
