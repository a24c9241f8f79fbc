# The kernel. KERNEL_SRCS: both kernel builds. HOSTABLE_SRCS: hardware-free
# code that also builds (and is tested) on the host. KERNEL_RUN_SRCS: only the
# report kernel. KERNEL_TEST_SRCS: only the test kernel.
KERNEL_ASM +=
KERNEL_SRCS +=
HOSTABLE_SRCS +=
KERNEL_RUN_SRCS +=
KERNEL_TEST_SRCS +=
include kernel/bootinfo.mk
