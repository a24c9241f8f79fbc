; SPDX-License-Identifier: MIT
;
; CPU exception entry stubs, vectors 0..31. Each stub pushes a dummy error
; code when the CPU does not push one, then its vector, and jumps to
; isr_common, which saves every general register so the stack holds a
; struct exception_frame (kernel/idt.h), lowest address first:
;
;   r15 r14 r13 r12 r11 r10 r9 r8 rbp rdi rsi rdx rcx rbx rax
;   vector error_code rip cs rflags rsp ss        (the last five: the CPU)
;
; isr_common then pushes a frame record (interrupted rip, interrupted rbp)
; so a frame-pointer stack trace runs from the handler through the code
; that faulted, and calls exception_dispatch(frame). The handler panics;
; inside KT_EXPECT_PANIC the panic longjmps straight out of it, which is
; fine in ring 0 with interrupts off. If it ever returns, the registers are
; restored and iretq resumes. The interrupt stubs (kernel/irq.h) build the
; same frame and call irq_dispatch(frame), which returns.
;
; The CPU aligns RSP to 16 before pushing its frame; 22 qwords of frame
; (176 bytes) keep it aligned, and the 2-qword record keeps the call
; aligned as the SysV ABI requires.

section .note.GNU-stack noalloc noexec nowrite progbits
bits 64
section .text

extern exception_dispatch

%macro ISR_NOERR 1
isr_%1:
	push qword 0
	push qword %1
	jmp isr_common
%endmacro

%macro ISR_ERR 1
isr_%1:
	push qword %1
	jmp isr_common
%endmacro

; Vectors with a CPU error code: 8 10 11 12 13 14 17 21 29 30.
ISR_NOERR 0
ISR_NOERR 1
ISR_NOERR 2
ISR_NOERR 3
ISR_NOERR 4
ISR_NOERR 5
ISR_NOERR 6
ISR_NOERR 7
ISR_ERR   8
ISR_NOERR 9
ISR_ERR   10
ISR_ERR   11
ISR_ERR   12
ISR_ERR   13
ISR_ERR   14
ISR_NOERR 15
ISR_NOERR 16
ISR_ERR   17
ISR_NOERR 18
ISR_NOERR 19
ISR_NOERR 20
ISR_ERR   21
ISR_NOERR 22
ISR_NOERR 23
ISR_NOERR 24
ISR_NOERR 25
ISR_NOERR 26
ISR_NOERR 27
ISR_NOERR 28
ISR_ERR   29
ISR_ERR   30
ISR_NOERR 31

; Interrupts (kernel/irq.h): the same frame, a zero error code, and
; irq_dispatch instead of exception_dispatch. The handler returns.
%macro IRQ 1
irq_%1:
	push qword 0
	push qword %1
	jmp irq_common
%endmacro

IRQ 0xf0                                ; IRQ_VEC_TIMER
IRQ 0xf1                                ; IRQ_VEC_CALL
IRQ 0xff                                ; IRQ_VEC_SPURIOUS

; The common body: save, call %1 with the frame, restore, iretq.
%macro ENTRY_COMMON 1
	cld
	push rax
	push rbx
	push rcx
	push rdx
	push rsi
	push rdi
	push rbp
	push r8
	push r9
	push r10
	push r11
	push r12
	push r13
	push r14
	push r15
	mov rdi, rsp                    ; struct exception_frame *
	push qword [rdi + 17 * 8]       ; interrupted rip
	push rbp                        ; interrupted rbp
	mov rbp, rsp
	call %1
	add rsp, 16
	pop r15
	pop r14
	pop r13
	pop r12
	pop r11
	pop r10
	pop r9
	pop r8
	pop rbp
	pop rdi
	pop rsi
	pop rdx
	pop rcx
	pop rbx
	pop rax
	add rsp, 16                     ; vector, error code
	iretq
%endmacro

isr_common:
	ENTRY_COMMON exception_dispatch

extern irq_dispatch
irq_common:
	ENTRY_COMMON irq_dispatch

; The stubs' addresses, for idt.c.
section .rodata
align 8
global isr_stub_table
isr_stub_table:
%assign i 0
%rep 32
	dq isr_ %+ i
%assign i i + 1
%endrep

; vector, stub address: IRQ_STUBS (kernel/idt.h) pairs.
global irq_stub_table
irq_stub_table:
	dq 0xf0, irq_0xf0
	dq 0xf1, irq_0xf1
	dq 0xff, irq_0xff
