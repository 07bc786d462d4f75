# Code-size flags for every AVR build of the firmware (included by firmware/Makefile and by
# firmware/core/Makefile's avr-size target, so both measure the same thing).
# SIZE_FLAGS, measured on the whole firmware (uno, avr-gcc 5.4): hoisting loop invariants spills
# 32-bit values to the stack (-420 B without it); one-byte enums (-90 B; every enum is a value or
# an in-RAM field, none is stored or sent as such); keeping 32-bit values whole (-60 B); no tree
# forward propagation, which folds byte reads into wide expressions AVR pays for (-300 B); no
# splitting of struct arguments into scalars (-40 B); inlining that keeps stack frames small,
# no tree-level redundancy elimination and priority colouring in the register allocator, which
# together keep fewer 32-bit values alive across the long inlined main loop (-390 B); no early
# (per-file) inlining, so LTO alone decides with the whole program in view (-84 B), and no shrink
# wrapping, which with -mcall-prologues only duplicates register saves (-16 B).
# Session 27 (making room for I2C, docs/benchmarks.md), found by a greedy search over ~75 more flags
# on the whole firmware, each kept only while it still shrank it: no loop-count canonicalisation,
# dominator optimisations, points-to analysis, CSE rerun after loops, function reordering or scalar
# evolution constant propagation (-68 B together on the Uno, Nano and Mega). Such wins move with
# the code: search again after a large change.
# Session 31, after the I2C arithmetic became programs (docs/benchmarks.md): a greedy search again,
# each flag dropped or added only while it still shrank the Uno: wide types split again, full
# redundancy elimination, shrink wrapping and function reordering back on (they now shrink it), no
# copy propagation on trees, no strict aliasing (fewer assumptions, never more), and one
# allocation region for the whole function (-256 B together on the Uno).
SIZE_FLAGS := -fno-move-loop-invariants -fshort-enums -fno-tree-forwprop -fno-ipa-sra \
  -fconserve-stack -fira-algorithm=priority -fno-early-inlining \
  -fno-tree-loop-ivcanon -fno-tree-dominator-opts -fno-tree-pta -fno-rerun-cse-after-loop \
  -fno-tree-scev-cprop -fno-tree-copy-prop -fno-strict-aliasing -fira-region=all
