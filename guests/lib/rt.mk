# rt.mk: the shared C runtime (guests/lib) for guest Makefiles.
#
# Usage, in guests/<dir>/Makefile:
#
#   include ../common.mk
#   include ../lib/rt.mk
#   all: $(IMAGES)/bench-cpu.elf
#   $(eval $(call rt_image,M,bench-cpu,cpu.c util.c))
#   .PHONY: all
#
# $(call rt_image,MODE,NAME,SOURCES) makes a rule for $(IMAGES)/NAME.elf (NAME may hold
# a subdirectory, e.g. bench/cpu): MODE is M (-bios none, loads at 0x80000000) or S (under
# an SBI firmware, loads at 0x80400000). SOURCES are .c/.S files relative to the guest
# directory; they compile into $(RT_OBJDIR) (guests/build/<dir>/) and are shared by all
# images of that directory. The image links crt0, the sources, the runtime and libgcc.
#
# For hand-written rules, the pieces are:
#   RT_OBJDIR               where $(RT_OBJDIR)/foo.o is built from foo.c or foo.S
#   RT_M_CRT0  RT_S_CRT0    startup objects (must come first on the link line)
#   RT_M_LIB   RT_S_LIB     runtime archives (librt-m.a / librt-s.a in guests/build/lib/)
#   RT_M_LIBS  RT_S_LIBS    what goes last on the link line: the archive and libgcc
#   RT_M_DEPS  RT_S_DEPS    prerequisites of an image: crt0, archive, linker script
#   RT_HEADERS              the runtime's headers (objects depend on them)
# e.g.
#   $(IMAGES)/x.elf: $(RT_OBJDIR)/x.o $(RT_M_DEPS)
#   	$(CC) $(LDFLAGS) -T $(LINK_M) -o $@ $(RT_M_CRT0) $(filter %.o,$^) $(RT_M_LIBS)
#
# The C API is in guests/lib/include/rt.h (already on the include path via CFLAGS).
# main gets (hartid) in M-mode, (hartid, dtb) in S-mode; its return value is the exit code.
#
# Every guest directory builds the runtime itself (so `make -C guests/<dir>` works alone),
# and several may do so at once under `make -j`: each output is written to a temporary
# name and renamed, so a reader never sees a half-written file.

# Keep the including Makefile's first target as the default goal.
RT_SAVED_GOAL := $(.DEFAULT_GOAL)

RT_DIR     := $(GUESTS)lib/
RT_BUILD   := $(BUILD)/lib
RT_OBJDIR  := $(BUILD)/$(notdir $(CURDIR))
RT_HEADERS := $(wildcard $(RT_DIR)include/*.h)

# -fno-tree-loop-distribute-patterns: else gcc may compile memset's loop into a call to memset.
RT_CFLAGS  := $(CFLAGS) -fno-tree-loop-distribute-patterns

RT_AR      := $(CROSS)ar

RT_COMMON  := string printf
RT_M_OBJS  := $(patsubst %,$(RT_BUILD)/m/%.o,$(RT_COMMON) backend-m)
RT_S_OBJS  := $(patsubst %,$(RT_BUILD)/s/%.o,$(RT_COMMON) backend-s)
RT_M_CRT0  := $(RT_BUILD)/crt0-m.o
RT_S_CRT0  := $(RT_BUILD)/crt0-s.o
RT_M_LIB   := $(RT_BUILD)/librt-m.a
RT_S_LIB   := $(RT_BUILD)/librt-s.a
RT_M_LIBS  := $(RT_M_LIB) $(LIBGCC)
RT_S_LIBS  := $(RT_S_LIB) $(LIBGCC)
RT_M_DEPS  := $(RT_M_CRT0) $(RT_M_LIB) $(LINK_M)
RT_S_DEPS  := $(RT_S_CRT0) $(RT_S_LIB) $(LINK_S)

# The runtime. Outputs are written to a temporary name and renamed (see above). The
# string/printf objects are compiled once per flavour: they are tiny, and it keeps each
# archive self-contained.
$(RT_BUILD)/m/%.o: $(RT_DIR)%.c $(RT_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@
$(RT_BUILD)/s/%.o: $(RT_DIR)%.c $(RT_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(RT_CFLAGS) -c -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@
$(RT_BUILD)/crt0-%.o: $(RT_DIR)crt0-%.S
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c -o $@.tmp$$$$ $< && mv -f $@.tmp$$$$ $@
# D: a deterministic archive (no timestamps, uids or modes), so images are reproducible.
$(RT_M_LIB): $(RT_M_OBJS)
	$(RT_AR) rcsD $@.tmp$$$$ $^ && mv -f $@.tmp$$$$ $@
$(RT_S_LIB): $(RT_S_OBJS)
	$(RT_AR) rcsD $@.tmp$$$$ $^ && mv -f $@.tmp$$$$ $@

# The including directory's own sources.
$(RT_OBJDIR)/%.o: %.c $(RT_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c -o $@ $<
$(RT_OBJDIR)/%.o: %.S $(RT_HEADERS)
	@mkdir -p $(@D)
	$(CC) $(ASFLAGS) -c -o $@ $<

# $(call rt_image,MODE,NAME,SOURCES): see the top of this file.
rt_objs = $(patsubst %,$(RT_OBJDIR)/%.o,$(basename $(1)))
define rt_image
$(IMAGES)/$(2).elf: $(call rt_objs,$(3)) $(RT_$(1)_DEPS)
	@mkdir -p $$(@D)
	$(CC) $(LDFLAGS) -T $(LINK_$(1)) -o $$@ $(RT_$(1)_CRT0) $(call rt_objs,$(3)) $(RT_$(1)_LIBS)
endef

.DEFAULT_GOAL := $(RT_SAVED_GOAL)
