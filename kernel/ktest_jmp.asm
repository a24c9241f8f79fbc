; SPDX-License-Identifier: MIT
;
; ktest_setjmp / ktest_longjmp for the kernel (include/ktest.h):
; ktest_jmp_buf is 8 qwords: rbx rbp r12 r13 r14 r15 rsp rip, the registers
; the SysV ABI makes callee-saved, plus where to resume. ktest_longjmp may
; be called from an exception handler: it abandons the exception frame,
; which is fine in ring 0 with interrupts off.

section .note.GNU-stack noalloc noexec nowrite progbits
bits 64
section .text

; int ktest_setjmp(ktest_jmp_buf buf /* rdi */)
global ktest_setjmp
ktest_setjmp:
	mov [rdi + 0 * 8], rbx
	mov [rdi + 1 * 8], rbp
	mov [rdi + 2 * 8], r12
	mov [rdi + 3 * 8], r13
	mov [rdi + 4 * 8], r14
	mov [rdi + 5 * 8], r15
	lea rdx, [rsp + 8]              ; rsp as the caller sees it after ret
	mov [rdi + 6 * 8], rdx
	mov rdx, [rsp]                  ; the return address
	mov [rdi + 7 * 8], rdx
	xor eax, eax
	ret

; _Noreturn void ktest_longjmp(ktest_jmp_buf buf /* rdi */, int val /* esi */)
global ktest_longjmp
ktest_longjmp:
	mov eax, esi
	test eax, eax
	jnz .nonzero
	mov eax, 1                      ; setjmp never returns 0 twice
.nonzero:
	cld
	mov rbx, [rdi + 0 * 8]
	mov rbp, [rdi + 1 * 8]
	mov r12, [rdi + 2 * 8]
	mov r13, [rdi + 3 * 8]
	mov r14, [rdi + 4 * 8]
	mov r15, [rdi + 5 * 8]
	mov rsp, [rdi + 6 * 8]
	jmp [rdi + 7 * 8]
