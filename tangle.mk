# tangle.mk -- chapters/*.nw -> out/src/<path>, one file per root chunk.
#
# A root chunk whose name is a path (<<kernel/proc.c>>=) becomes the file
# out/src/kernel/proc.c.  C, headers and assembly carry #line directives
# that point back at the chapter, so compiler errors and gdb name the .nw
# line.  Every file passes through cpif, which leaves a file alone when its
# text is unchanged.  Prose added above a chunk shifts the chunk's #line
# numbers without changing its code; then the file is rewritten (so the
# next compiler error names the right line) but keeps its old time stamp,
# so a prose-only edit recompiles nothing.  (Until the file is next
# compiled, gdb's line numbers for it lag behind by the lines added.)
#
# The generated out/roots.mk lists the roots for the Makefile (ROOTS).  Make
# rebuilds it whenever a chapter changes and then re-reads the makefiles.

# check-chunks: every chunk used in code is defined, and every chunk defined
# is used or is a root named as a file.  Errors name chapter and line.
define check-chunks
awk ' \
  function isroot(n) { return (n ~ /^[A-Za-z0-9_.\/-]+$$/ && n ~ /[\/.]/) || n == "Makefile" } \
  FNR == 1 { incode = 0 } \
  /^<<.*>>=[ \t]*$$/ { n = $$0; sub(/^<</, "", n); sub(/>>=[ \t]*$$/, "", n); \
      if (!(n in def)) def[n] = FILENAME ":" FNR; incode = 1; next } \
  /^@([ \t]|$$)/ { incode = 0; next } \
  incode { s = $$0; gsub(/@<</, "", s); \
      while (match(s, /<<[^>]*>>/)) { n = substr(s, RSTART + 2, RLENGTH - 4); \
          if (!(n in use)) use[n] = FILENAME ":" FNR; s = substr(s, RSTART + RLENGTH) } } \
  /\t/ { print FILENAME ":" FNR ": error: tab character (indent with spaces)"; bad = 1 } \
  incode && length($$0) > 80 { \
      print FILENAME ":" FNR ": error: code line longer than 80 columns"; bad = 1 } \
  END { for (n in use) if (!(n in def)) { \
          print use[n] ": error: chunk <<" n ">> is used but never defined"; bad = 1 } \
        for (n in def) if (!(n in use) && !isroot(n)) { \
          print def[n] ": error: chunk <<" n ">> is defined but never used"; bad = 1 } \
        exit bad }' $(CHAPTERS) >&2
endef

$(OUT)/roots.mk: $(CHAPTERS) tangle.mk | deps-run
	@mkdir -p $(SRC)
	@$(check-chunks)
	@noroots $(CHAPTERS) | sed -n 's/^<<\(.*\)>>$$/\1/p' | grep -E '^[A-Za-z0-9_./-]+$$' | sort > $@.list
	@while read -r root; do \
	  case "$$root" in *.c|*.h|*.S) line=-L ;; *) line= ;; esac; \
	  mkdir -p "$(SRC)/$$(dirname "$$root")"; \
	  notangle $$line -R"$$root" $(CHAPTERS) > $@.out 2> $@.err; \
	  if [ -s $@.err ]; then cat $@.err >&2; rm -f $@.out; exit 1; fi; \
	  dst="$(SRC)/$$root"; \
	  if [ -n "$$line" ] && [ -f "$$dst" ] && ! cmp -s $@.out "$$dst"; then \
	    grep -v '^#line' $@.out > $@.new; grep -v '^#line' "$$dst" > $@.old; \
	    if cmp -s $@.new $@.old; then \
	      cp $@.out "$$dst.tmp"; touch -r "$$dst" "$$dst.tmp"; mv "$$dst.tmp" "$$dst"; \
	      rm -f $@.new $@.old; continue; \
	    fi; \
	  fi; \
	  cpif "$$dst" < $@.out; \
	done < $@.list
	@echo "ROOTS := $$(tr '\n' ' ' < $@.list)" > $@.tmp
	@echo "tangle: $$(wc -l < $@.list) files in $(SRC)"
	@rm -f $@.out $@.err $@.list $@.new $@.old
	@mv $@.tmp $@

.PHONY: tangle
tangle: $(OUT)/roots.mk

# Generating roots.mk needs noweb; clean and deps must work without it.
ifeq ($(filter clean deps deps-run deps-book,$(MAKECMDGOALS)),)
include $(OUT)/roots.mk
endif
