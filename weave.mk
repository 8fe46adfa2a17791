# weave.mk -- chapters/*.nw -> out/tex/*.tex -> out/book.pdf
#
# All chapters are woven in one noweave run, so that a chunk continued or
# used in another chapter is cross-referenced there; the output is then cut
# at each chapter's \nwfilename into out/tex/NN-topic.tex.  The identifier
# and chunk index data at the end go to out/tex/index-data.tex.

TEX := $(OUT)/tex

$(TEX)/chapters.tex: $(CHAPTERS) weave.mk | deps-run
	@mkdir -p $(TEX)
	noweave -n -index -autodefs c $(CHAPTERS) > $(TEX)/all.tmp
	@awk -v dir=$(TEX) ' \
	  /^\\nwixlogsorted/ { print > (dir "/index-data.tex.tmp"); next } \
	  { i = index($$0, "\\nwfilename{"); \
	    if (i == 0) { if (out) print > out; next } \
	    if (out && i > 1) print substr($$0, 1, i - 1) > out; \
	    f = substr($$0, i + 12); sub(/\}.*$$/, "", f); \
	    sub(/^chapters\//, "", f); sub(/\.nw$$/, "", f); \
	    out = dir "/" f ".tex.tmp"; \
	    print "\\input{" f ".tex}" > (dir "/chapters.tmp"); \
	    print substr($$0, i) > out }' $(TEX)/all.tmp
	@for f in $(TEX)/*.tex.tmp; do cpif $${f%.tmp} < $$f; rm -f $$f; done
	@touch $(TEX)/index-data.tex
	@rm -f $(TEX)/all.tmp
	@mv $(TEX)/chapters.tmp $@

FIGURES := $(wildcard figures/*.tex)
BOOKTEX := $(wildcard book/*.tex book/*.sty)

$(OUT)/book.pdf: $(TEX)/chapters.tex $(FIGURES) $(BOOKTEX) | deps-book
	@cpif $(TEX)/book.tex < book/book.tex
	@cd $(TEX) && TEXINPUTS=.:../../book:../../figures: \
	  latexmk -pdf -interaction=nonstopmode -halt-on-error -silent \
	  book.tex > latexmk.out 2>&1 \
	  || { tail -40 latexmk.out; grep -A5 '^!' book.log; \
	       rm -f book.fdb_latexmk; exit 1; }
	@if grep -E 'undefined|Overfull \\hbox' $(TEX)/book.log | grep -v 'Font' ; then \
	  echo "weave: the book has undefined references or overfull lines" >&2; \
	  exit 1; fi
	@cp $(TEX)/book.pdf $@
	@echo "weave: $@, $$(pdfinfo $@ 2>/dev/null | awk '/^Pages/ {print $$2}') pages"

pdf: $(OUT)/book.pdf
