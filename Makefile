# mm64 — build, boot and test. Two commands do everything on a fresh
# Debian/Ubuntu machine: `make run` and `make test` (see README.md).
#
# Sources are listed explicitly in one fragment per directory (boot/boot.mk,
# kernel/kernel.mk, mm/sources.mk, tests/tests.mk); this file holds the rules.

BUILD   ?= build
CC      ?= gcc
ifeq ($(origin CC),default)
CC      := gcc
endif
HOSTCC  ?= gcc
FUZZCC  ?= clang
NASM    ?= nasm
QEMU    ?= qemu-system-x86_64

# Test selection, passed to the kernel command line and the host runner.
TEST    ?=
SEED    ?=
CONFIGS ?=
EXTRA_TESTS ?=
KVM     ?= 0
FUZZ_SECONDS ?= 30
SMP_MS  ?= 3000
# Arguments of `make test-smp`: threads=N only=op,... skip=op,... (see
# tests/smp/smp_stress_main.c); SEED applies.
SMP     ?=

BOOT_ASM :=
KERNEL_ASM :=
KERNEL_SRCS :=
KERNEL_RUN_SRCS :=
KERNEL_TEST_SRCS :=
HOSTABLE_SRCS :=
MM_SRCS :=
TESTS_COMMON :=
TESTS_KERNEL :=
TESTS_HOST :=
HOST_RUNNER_SRCS :=
FUZZ_TARGETS :=
BENCH_SRCS :=
BENCH_MAIN :=

include boot/boot.mk
include kernel/kernel.mk
include mm/sources.mk
include tests/tests.mk

comma := ,
WARN := -Wall -Wextra -Werror -Wno-unused-parameter
INC  := -Iinclude -Imm -Ikernel -Itests/lib

# ---- the kernel (x86-64, freestanding, higher half) ----
KCFLAGS := -std=gnu11 -ffreestanding -fno-pie -fno-pic -mcmodel=kernel \
	-mno-red-zone -mgeneral-regs-only -fno-stack-protector \
	-fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-O2 -g $(WARN) $(INC) -DMM_PORT_INLINE='"mm_port_inline.h"'
KLDFLAGS := -nostdlib -static -no-pie -Wl,-n -Wl,-T,linker.ld \
	-Wl,-z,max-page-size=0x1000 -Wl,--no-warn-rwx-segments
NASMFLAGS := -f elf64 -g -F dwarf

KOBJ_RUN  := $(BUILD)/kernel
KOBJ_TEST := $(BUILD)/test-kernel

RUN_C   := $(KERNEL_SRCS) $(HOSTABLE_SRCS) $(MM_SRCS) $(KERNEL_RUN_SRCS)
TEST_C  := $(KERNEL_SRCS) $(HOSTABLE_SRCS) $(MM_SRCS) $(KERNEL_TEST_SRCS) \
	tests/lib/ktest.c $(TESTS_COMMON) $(TESTS_KERNEL) $(EXTRA_TESTS)
ASM     := $(BOOT_ASM) $(KERNEL_ASM)

RUN_OBJS  := $(patsubst %,$(KOBJ_RUN)/%.o,$(ASM) $(RUN_C))
TEST_OBJS := $(patsubst %,$(KOBJ_TEST)/%.o,$(ASM) $(TEST_C))

$(KOBJ_RUN)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -DMM_DEBUG=0 -MMD -MP -c $< -o $@
$(KOBJ_TEST)/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(KCFLAGS) -DMM_DEBUG=1 -DKTEST_KERNEL=1 -MMD -MP -c $< -o $@
# Two rules, not one with two targets: a multi-target pattern rule tells
# make that one run of the recipe builds both objects.
$(KOBJ_RUN)/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) $< -o $@
$(KOBJ_TEST)/%.asm.o: %.asm
	@mkdir -p $(dir $@)
	$(NASM) $(NASMFLAGS) $< -o $@

$(BUILD)/mm64.elf: $(RUN_OBJS) linker.ld
	$(CC) $(KLDFLAGS) -o $@ $(RUN_OBJS) -lgcc
# Relink the test binaries when the EXTRA_TESTS list changes.
EXTRA_STAMP := $(BUILD)/extra-tests.list
$(shell mkdir -p $(BUILD); echo '$(EXTRA_TESTS)' | cmp -s - $(EXTRA_STAMP) 2>/dev/null || echo '$(EXTRA_TESTS)' > $(EXTRA_STAMP))

$(BUILD)/mm64-test.elf: $(TEST_OBJS) linker.ld $(EXTRA_STAMP)
	$(CC) $(KLDFLAGS) -o $@ $(TEST_OBJS) -lgcc

# An ISO with GRUB (BIOS) and one kernel; the test ISO passes its command
# line through grub.cfg so TEST and SEED reach the runner.
$(BUILD)/%.iso: $(BUILD)/%.elf tools/mkiso.sh
	tools/mkiso.sh $< $@

# ---- the host build: the same hardware-free code under ASan/UBSan ----
HOSTCFLAGS := -std=gnu11 -g -O1 -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	$(WARN) $(INC) -Itests/host -DKTEST_HOSTED=1 -DMM_DEBUG=1 \
	-DMM_PORT_INLINE='"mm_port_host_inline.h"'
HOST_C    := $(HOSTABLE_SRCS) $(MM_SRCS) tests/lib/ktest.c \
	$(HOST_RUNNER_SRCS) $(TESTS_COMMON) $(TESTS_HOST) $(EXTRA_TESTS)
HOST_OBJS := $(patsubst %,$(BUILD)/host/%.o,$(HOST_C))

$(BUILD)/host/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/host-tests: $(HOST_OBJS) $(EXTRA_STAMP)
	$(HOSTCC) $(HOSTCFLAGS) -o $@ $(HOST_OBJS) -lm

# ---- SMP stress: a thread per CPU, under ASan/UBSan and under TSan ----
TSANCC  ?= $(HOSTCC)
SMP_C   := $(MM_SRCS) $(SMP_SRCS)
TSANCFLAGS := $(subst -fsanitize=address$(comma)undefined -fno-sanitize-recover=undefined,\
	-fsanitize=thread,$(HOSTCFLAGS))
$(BUILD)/smp/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(HOSTCFLAGS) -pthread -MMD -MP -c $< -o $@
$(BUILD)/smp-tsan/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(TSANCC) $(TSANCFLAGS) -pthread -MMD -MP -c $< -o $@
$(BUILD)/host-smp: $(patsubst %,$(BUILD)/smp/%.o,$(SMP_C))
	$(HOSTCC) $(HOSTCFLAGS) -pthread -o $@ $^ -lm
$(BUILD)/host-smp-tsan: $(patsubst %,$(BUILD)/smp-tsan/%.o,$(SMP_C))
	$(TSANCC) $(TSANCFLAGS) -pthread -o $@ $^ -lm
# The same stress on a release build of mm/ (MM_DEBUG=0: the fast paths
# without their debug checks), still under ASan/UBSan.
SMPRELCFLAGS := $(subst -DMM_DEBUG=1,-DMM_DEBUG=0,$(HOSTCFLAGS))
$(BUILD)/smp-rel/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(SMPRELCFLAGS) -pthread -MMD -MP -c $< -o $@
$(BUILD)/host-smp-release: $(patsubst %,$(BUILD)/smp-rel/%.o,$(SMP_C))
	$(HOSTCC) $(SMPRELCFLAGS) -pthread -o $@ $^ -lm

# ---- benchmarks: host, -O2, debug checks off ----
BENCHCFLAGS := -std=gnu11 -O2 -g -march=x86-64-v2 $(WARN) $(INC) -Itests/host \
	-DKTEST_HOSTED=1 -DMM_DEBUG=0 -DMM_BENCH=1 -DHOST_PORT_NO_IRQ=1 \
	-DMM_PORT_INLINE='"mm_port_host_inline.h"'
BENCH_C    := $(MM_SRCS) $(BENCH_SRCS)
BENCH_OBJS := $(patsubst %,$(BUILD)/bench/%.o,$(BENCH_C))
$(BUILD)/bench/%.c.o: %.c
	@mkdir -p $(dir $@)
	$(HOSTCC) $(BENCHCFLAGS) -MMD -MP -c $< -o $@
$(BUILD)/mm64-bench: $(BENCH_OBJS)
	$(HOSTCC) $(BENCHCFLAGS) -o $@ $(BENCH_OBJS) $(BENCH_LIBS) -lm -ldl

# ---- fuzzing: libFuzzer targets, one binary per target ----
FUZZCFLAGS := -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	$(WARN) $(INC) -Itests/host -DKTEST_HOSTED=1 -DMM_DEBUG=1
$(BUILD)/fuzz/%: tests/fuzz/%.c $(HOSTABLE_SRCS)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZCFLAGS) -o $@ $< $(HOSTABLE_SRCS)
# A target that runs mm/ itself links it with the host port.
FUZZ_MM_LIBS := $(MM_SRCS) tests/host/mm_port_host.c tests/host/host_cpu.c \
	tests/lib/ktest.c
FUZZ_MM_DEPS := $(FUZZ_MM_OPS_SRCS) $(FUZZ_MM_LIBS) tests/fuzz/mm_ops.h \
	$(wildcard mm/*.h mm/*/*.h include/mm/*.h)
FUZZ_MM_FLAGS := -DMM_PORT_INLINE='"mm_port_host_inline.h"'
# Coverage guides the search through mm/ only: the driver, the shadow model,
# the port and the debug fill of freed frames (a loop over every byte) are
# built without coverage hooks (still ASan/UBSan), which more than doubles
# the executions per second.
FUZZ_MM_PLAIN := $(FUZZ_MM_OPS_SRCS) mm/page/poison.c tests/host/mm_port_host.c \
	tests/host/host_cpu.c tests/lib/ktest.c
$(BUILD)/fuzz/mm_ops: $(FUZZ_MM_DEPS)
	@mkdir -p $(dir $@)/mm_ops-plain
	cd $(dir $@)/mm_ops-plain && $(FUZZCC) $(subst fuzzer$(comma),,$(FUZZCFLAGS)) \
		$(FUZZ_MM_FLAGS) $(addprefix -I$(CURDIR)/,include mm kernel tests/lib tests/host) \
		-c $(addprefix $(CURDIR)/,$(FUZZ_MM_PLAIN))
	$(FUZZCC) $(FUZZCFLAGS) -fno-sanitize-coverage=trace-cmp $(FUZZ_MM_FLAGS) -o $@ \
		$(filter-out $(FUZZ_MM_PLAIN),$(FUZZ_MM_LIBS)) $(dir $@)/mm_ops-plain/*.o

# Coverage of mm/ reached by a corpus: make fuzz-cov [FUZZ_CORPUS=dir...]
$(BUILD)/fuzz-cov/mm_ops: $(FUZZ_MM_DEPS)
	@mkdir -p $(dir $@)
	$(FUZZCC) $(FUZZCFLAGS) $(FUZZ_MM_FLAGS) -fprofile-instr-generate \
		-fcoverage-mapping -o $@ $(FUZZ_MM_OPS_SRCS) $(FUZZ_MM_LIBS)

# ---- entry points ----
.PHONY: all deps kernels run test test-host test-kernel test-smp fuzz fuzz-cov bench \
	debug clean

all: $(BUILD)/mm64.iso $(BUILD)/mm64-test.iso $(BUILD)/host-tests

deps:
	@tools/deps.sh

kernels: $(BUILD)/mm64.iso $(BUILD)/mm64-test.iso

run: deps
	@$(MAKE) --no-print-directory $(BUILD)/mm64.iso
	@tools/qemu-run.sh $(BUILD)/mm64.iso

test: deps
	@HOSTCC='$(HOSTCC)' tools/check-doc-snippets.sh
	@$(MAKE) --no-print-directory $(BUILD)/mm64-test.elf $(BUILD)/host-tests \
		$(BUILD)/host-smp $(BUILD)/host-smp-tsan $(BUILD)/host-smp-release \
		$(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@BUILD=$(BUILD) TEST='$(TEST)' SEED='$(SEED)' CONFIGS='$(CONFIGS)' KVM=$(KVM) \
		SMP_MS=$(SMP_MS) \
		FUZZ_TARGETS='$(FUZZ_TARGETS)' FUZZ_SECONDS=$(FUZZ_SECONDS) \
		tools/test-all.sh

test-host: $(BUILD)/host-tests
	$(BUILD)/host-tests $(if $(TEST),test=$(TEST)) $(if $(SEED),seed=$(SEED))

# The SMP stress test alone, ASan/UBSan then ThreadSanitizer (any report
# fails): make test-smp SMP='threads=4 only=drain,pages' SEED=1
test-smp: $(BUILD)/host-smp $(BUILD)/host-smp-tsan
	$(BUILD)/host-smp ms=$(SMP_MS) $(if $(SEED),seed=$(SEED)) $(SMP)
	TSAN_OPTIONS="$${TSAN_OPTIONS:-exitcode=66 history_size=7}" $(BUILD)/host-smp-tsan ms=$(SMP_MS) \
		$(if $(SEED),seed=$(SEED)) $(SMP)

test-kernel: $(BUILD)/mm64-test.elf
	@BUILD=$(BUILD) TEST='$(TEST)' SEED='$(SEED)' CONFIGS='$(CONFIGS)' KVM=$(KVM) \
		tools/qemu-matrix.sh $(BUILD)/mm64-test.elf

fuzz: deps
	@$(MAKE) --no-print-directory $(addprefix $(BUILD)/fuzz/,$(FUZZ_TARGETS))
	@for t in $(FUZZ_TARGETS); do \
		tools/fuzz.sh $(BUILD)/fuzz/$$t tests/fuzz/$$t.corpus $${FUZZ_LONG:-600} || exit 1; done

fuzz-cov: $(BUILD)/fuzz-cov/mm_ops
	@tools/fuzz-cov.sh $< $(or $(FUZZ_CORPUS),tests/fuzz/mm_ops.corpus)

bench:
	@tools/deps.sh --bench
	@$(MAKE) --no-print-directory $(BUILD)/mm64-bench
	@tools/bench.sh $(BUILD)

debug: deps
	@$(MAKE) --no-print-directory $(BUILD)/mm64.iso
	@tools/qemu-run.sh --debug $(BUILD)/mm64.iso

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
