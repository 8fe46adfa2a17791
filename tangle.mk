# tangle.mk -- chapters/*.nw -> out/src/<path>, one file per root chunk.
#
# A root chunk whose name is a path (<<kernel/proc.c>>=) becomes the file
# out/src/kernel/proc.c.  C, headers and assembly carry #line directives
# that point back at the chapter, so compiler errors and gdb name the .nw
# line.  A file is written only when its text changed (as noweb's cpif
# does), so it keeps its time stamp otherwise.  Prose added above a chunk
# shifts the chunk's #line numbers without changing its code; then the
# file is rewritten (so the next compiler error names the right line) but
# keeps its old time stamp, so a prose-only edit recompiles nothing.
# (Until the file is next compiled, gdb's line numbers for it lag behind
# by the lines added.)
#
# One awk program does it all in one pass over the chapters: it checks
# them, finds the roots by noroots' rule (a chunk defined and never used),
# expands every root as `notangle -L` (C, headers, assembly) or `notangle`
# (everything else) would, and compares each result with the file in
# out/src.  Running notangle once per root, each run reading all the
# chapters, took seconds; this takes a few hundredths.  (The testing
# chapter has the figures, and a build test that checks the result
# against noroots and notangle, file by file.)  It is awk, in this file,
# because the tangler cannot be a chunk of the book: it would have to be
# tangled before it could tangle.
#
# The files whose #line numbers alone changed are rewritten in place
# between two runs of cp --attributes-only, which save their time stamps
# in out/times and put them back: two commands, however many files.
#
# out/tangled is the time stamp of the last tangle: what is made from the
# tangled files (weave.mk's editions) depends on it.  out/roots.mk, which
# make reads, lists the roots (ROOTS) and those of them that include
# utest.h (UTEST, so that the Makefile need not grep the tangled files);
# it is rewritten only when one of those lists changes, and only then
# does make start over after a tangle, so that after an edit it reads its
# makefiles once.

# The checks: every chunk used in code is defined, and every chunk defined
# is used or is a root named as a file; no tabs; no code line longer than
# 80 columns.  Errors name chapter and line.  Nothing is written if one
# fails.
define TANGLE_AWK
function err(where, msg) {
  print where ": error: " msg > "/dev/stderr"; bad = 1
}
function isroot(n) {
  return (n ~ /^[A-Za-z0-9_.\/-]+$/ && n ~ /[\/.]/) || n == "Makefile"
}

# Read every chapter.  Code lines are kept in code[]; definition d of a
# chunk is the lines first[d]..last[d], which are lines dline[d] on of
# chapter number dfile[d], and def[chunk, k] is the chunk's k-th.  A line
# that may hold a use is cut into pieces as it is read (their kind, val
# and col are kept from piece0[line] + 1 on).
FNR == 1 { if (incode) last[nd] = ncode; incode = 0; chapter[++nf] = FILENAME }
/^<<.*>>=[ \t]*$/ {
  if (incode) last[nd] = ncode
  chunk = $0; sub(/^<</, "", chunk); sub(/>>=[ \t]*$/, "", chunk)
  if (!(chunk in where)) where[chunk] = FILENAME ":" FNR
  def[chunk, ++ndef[chunk]] = ++nd
  first[nd] = ncode + 1; last[nd] = ncode; dfile[nd] = nf; dline[nd] = FNR + 1
  incode = 1; next
}
/^@([ \t]|$)/ { if (incode) last[nd] = ncode; incode = 0; next }
/\t/ { err(FILENAME ":" FNR, "tab character (indent with spaces)") }
!incode { next }
{ code[++ncode] = $0 }
length($0) > 80 { err(FILENAME ":" FNR, "code line longer than 80 columns") }
/<<|@/ {
  n = npieces[ncode] = split_line($0); piece0[ncode] = np
  for (p = 1; p <= n; p++) {
    kind[++np] = pk[p]; val[np] = pv[p]; col[np] = pc[p]
    if (pk[p] == "use" && !(pv[p] in used)) used[pv[p]] = FILENAME ":" FNR
  }
}

# split_line(s): cut a code line that may hold uses into pieces, noweb's
# way: a use runs from << to the next >>; @<< and @>> stand for << and
# >>, and @@ at the start of the line for @.  Sets pk[i] ("text" or
# "use"), pv[i] and pc[i] (the column where the piece starts, counted in
# the unescaped text, as notangle counts it); returns the count.
function split_line(s,    n, t, c, p, q) {
  n = 0; t = ""; c = 0
  if (substr(s, 1, 2) == "@@") { t = "@"; s = substr(s, 3) }
  while ((p = index(s, "<<")) > 0) {
    if (p > 1 && substr(s, p - 1, 1) == "@") {
      t = t unescape(substr(s, 1, p - 2)) "<<"; s = substr(s, p + 2)
      continue
    }
    q = index(substr(s, p + 2), ">>")
    if (q == 0) break
    t = t unescape(substr(s, 1, p - 1))
    if (t != "") { pk[++n] = "text"; pv[n] = t; pc[n] = c; c += length(t) }
    pk[++n] = "use"; pv[n] = substr(s, p + 2, q - 1); pc[n] = c
    c += q + 3; t = ""; s = substr(s, p + q + 3)
  }
  t = t unescape(s)
  if (t != "") { pk[++n] = "text"; pv[n] = t; pc[n] = c }
  return n
}
function unescape(s,    r, p) {
  r = ""
  while ((p = index(s, "@>>")) > 0) {
    r = r substr(s, 1, p - 1) ">>"; s = substr(s, p + 3)
  }
  return r s
}

END {
  if (incode) last[nd] = ncode
  for (n in used) if (!(n in where))
    err(used[n], "chunk <<" n ">> is used but never defined")
  for (n in where) if (!(n in used) && !isroot(n))
    err(where[n], "chunk <<" n ">> is defined but never used")
  if (bad) exit 1
  for (n in where) if (!(n in used)) {      # the roots, in byte order
    for (r = ++nroots; r > 1 && root[r - 1] > n; r--) root[r] = root[r - 1]
    root[r] = n
  }
  changed = renumbered = 0
  for (r = 1; r <= nroots; r++) {
    lines = 0; cur = ""; known = 0; pd = 0
    withline = root[r] ~ /\.(c|h|S)$/
    expand(root[r], 0)
    out[++lines] = cur
    if (bad) exit 1
    if (root[r] ~ /^user\/.*\.c$/)
      for (i = 1; i <= lines; i++)
        if (out[i] ~ /^ *.include +"utest\.h"/) {
          harness = harness " " root[r]; break
        }
    dst = src "/" root[r]
    state[r] = compare(dst)
    if (state[r] == "same") continue
    kept[r] = lines
    for (i = 1; i <= lines; i++) keep[r, i] = out[i]
    if (state[r] == "missing") {
      sub(/\/[^\/]*$/, "", dst); dirs = dirs " '" dst "'"
    }
    if (state[r] == "renumbered") { renumbered++; renum = renum " '" dst "'" }
    else changed++
  }
  if (dirs != "" && system("mkdir -p" dirs) != 0) exit 1
  cp = "cp --attributes-only --preserve=timestamps --parents" renum
  save = cp " '" times "'"
  save = save " 2>/dev/null || { mkdir -p '" times "' && " save "; }"
  if (renum != "" && system(save)) exit 1
  for (r = 1; r <= nroots; r++) {
    if (state[r] == "same") continue
    dst = src "/" root[r]
    for (i = 1; i <= kept[r]; i++) print keep[r, i] > dst
    close(dst)
  }
  if (renum != "" && system("r=$PWD && cd '" times "' && " cp " \"$r\""))
    exit 1
  s = "ROOTS :="
  for (r = 1; r <= nroots; r++) s = s " " root[r]
  s = s "\nUTEST :=" harness
  old = ""
  while ((getline t < rootsmk) > 0) old = old t "\n"
  close(rootsmk)
  if (old != s "\n") { print s > rootsmk; close(rootsmk) }
  s = sprintf("tangle: %d files in %s, %d changed, %d renumbered",
              nroots, src, changed, renumbered)
  print s > stamp
  print s
}

# expand(name, indent): append chunk name to out[], noweb's way.  The
# newline after the chunk's last line is left to the line that used it
# (and to the caller, for a root).  pd is what notangle calls the partial
# distance, the width of the line so far, in which a use counts as the
# width of its <<name>>: without #line directives, a chunk used after
# text on a line is indented to it; with them, text that needs a #line
# in the middle of a line is padded out to it.  head is true until the
# chunk's first piece is out; its text is never padded.
function expand(name, indent,    k, d, f, l, i, j, lasti, head, sp, at) {
  if (name in active) {
    err(where[name], "chunk <<" name ">> is used inside itself"); return
  }
  active[name] = 1
  lasti = 0; head = 1; sp = sprintf("%" indent "s", "")
  for (k = 1; k <= ndef[name]; k++)
    if (last[def[name, k]] >= first[def[name, k]]) lasti = last[def[name, k]]
  for (k = 1; k <= ndef[name]; k++) {
    d = def[name, k]; f = dfile[d]; l = dline[d]
    for (i = first[d]; i <= last[d]; i++) {
      if (pd == 0 && cur == "" && i != lasti && !(i in npieces)) {
        if (!withline) {                    # the usual cases, made short
          out[++lines] = code[i] == "" ? "" : sp code[i]
          head = 0; l++; continue
        }
        if (code[i] == "" || (known && bl == l && bf == f)) {
          out[++lines] = code[i]; bl++; head = 0; l++; continue
        }
      }
      if (!(i in npieces)) {
        text(code[i], f, l, indent, head); head = 0
      } else
        for (j = piece0[i] + 1; j <= piece0[i] + npieces[i]; j++) {
          if (kind[j] == "text")
            text(val[j], f, l, indent, head)
          else {
            if (!withline && pd == 0) { cur = cur sp; pd = indent }
            at = pd
            expand(val[j], pd)
            pd = at + length(val[j]) + 4
          }
          head = 0
        }
      if (i != lasti) {
        out[++lines] = cur; cur = ""; pd = 0; bl++; head = 0
      }
      l++
    }
  }
  delete active[name]
}

# text(s, f, l, indent, head): append s, which is line l of chapter
# number f.  With #line directives (as notangle -L): when s is not where
# the compiler will believe it is, end a partial line, say where s comes
# from, and pad s out to pd.  Without (as notangle): indent a fresh line.
function text(s, f, l, indent, head) {
  if (s == "") return
  if (withline) {
    if (!(known && bf == f && bl == l)) {
      if (pd) { out[++lines] = cur; cur = "" }
      out[++lines] = "#line " l " \"" chapter[f] "\""
      bf = f; bl = l; known = 1
      if (!head) cur = sprintf("%" pd "s", "")
    }
  } else if (pd == 0) {
    cur = cur sprintf("%" indent "s", ""); pd = indent
  }
  cur = cur s; pd += length(s)
}

# compare(dst): "same" if the file holds the output already, "renumbered"
# if it differs only in its #line lines, "missing" or "changed" otherwise.
function compare(dst,    i, s, rc) {
  i = 0
  while ((rc = (getline s < dst)) > 0)
    if (++i > lines || s != out[i]) break
  close(dst)
  if (rc < 0) return "missing"
  if (rc == 0 && i == lines) return "same"
  if (!withline) return "changed"
  i = 0
  while ((rc = (getline s < dst)) > 0) {
    if (s ~ /^#line /) continue
    while (++i <= lines && out[i] ~ /^#line /) ;
    if (i > lines || s != out[i]) { close(dst); return "changed" }
  }
  close(dst)
  while (++i <= lines && out[i] ~ /^#line /) ;
  return i > lines ? "renumbered" : "changed"
}
endef

# The awk program reaches awk through the environment, untouched by make.
# Any POSIX awk makes the same files; mawk, where it is installed, is the
# quickest (half of gawk's time on this program).
TANGLE_AWK_CMD := $(firstword $(wildcard /usr/bin/mawk) awk)
$(OUT)/tangled: export TANGLER := $(value TANGLE_AWK)

nothing :=
$(OUT)/roots.mk: $(OUT)/tangled
	$(nothing)

# A tree without roots.mk is tangled from scratch, after the check that
# the build's tools are installed (which an edit need not wait for).
$(OUT)/tangled: $(CHAPTERS) tangle.mk \
  $(if $(wildcard $(OUT)/roots.mk),,tangle-anew) \
  | $(if $(wildcard $(OUT)/roots.mk),,deps-run)
	@$(TANGLE_AWK_CMD) -v src=$(SRC) -v times=$(OUT)/times -v stamp=$@ \
	  -v rootsmk=$(OUT)/roots.mk "$$TANGLER" $(CHAPTERS)

.PHONY: tangle tangle-anew
tangle: $(OUT)/roots.mk

# Generating roots.mk needs awk only; clean and deps must work without it.
ifeq ($(filter clean deps deps-run deps-book,$(MAKECMDGOALS)),)
include $(OUT)/roots.mk
endif
