# weave.mk -- chapters/*.nw -> the three editions of the book:
#   out/book.pdf (make pdf), out/html/ (make html), out/notes/ (make notes)
#
# All chapters go through noweb's pipeline together, so that a chunk
# continued or used in another chapter is cross-referenced there, with the
# book's own filter (editions/cleanxref.py, chapter 91) between finduses
# and noidx.  The filtered stream, out/tex/book.nwpipe, feeds every edition;
# the filter also writes its counts to out/tex/xref-figures.tex, which
# chapter 91 quotes.
# For the PDF, noidx and totex turn it into LaTeX, which is cut at each
# chapter's \nwfilename into out/tex/NN-topic.tex; the identifier and chunk
# index data at the end go to out/tex/index-data.tex.  Chapter N is
# chapters/NN-*.nw: the preface (00) is front matter, and every chapter
# starts with its counter set from its file name.

TEX   := $(OUT)/tex
PIPE  := $(TEX)/book.nwpipe
NWLIB  = $(shell sed -n 's/^LIB=//p' "$$(command -v noweave)")
EDSRC := $(SRC)/editions

$(PIPE): $(CHAPTERS) $(OUT)/tangled weave.mk | deps-run
	@mkdir -p $(TEX)
	@$(NWLIB)/markup $(CHAPTERS) | $(NWLIB)/autodefs.c | $(NWLIB)/finduses \
	  | python3 $(EDSRC)/cleanxref.py $(TEX)/xref-figures.tex > $@.tmp
	@mv $@.tmp $@

$(TEX)/chapters.tex: $(PIPE)
	$(NWLIB)/noidx < $(PIPE) | $(NWLIB)/totex > $(TEX)/all.tmp
	@rm -f $(TEX)/front.tmp
	@awk -v dir=$(TEX) ' \
	  /^\\nwixlogsorted/ { print > (dir "/index-data.tex.tmp"); next } \
	  { i = index($$0, "\\nwfilename{"); \
	    if (i == 0) { if (out) print > out; next } \
	    if (out && i > 1) print substr($$0, 1, i - 1) > out; \
	    f = substr($$0, i + 12); sub(/\}.*$$/, "", f); \
	    sub(/^chapters\//, "", f); sub(/\.nw$$/, "", f); \
	    out = dir "/" f ".tex.tmp"; n = substr(f, 1, 2) + 0; \
	    if (n == 0) print "\\input{" f ".tex}" > (dir "/front.tmp"); \
	    else print "\\setcounter{chapter}{" n - 1 "}\\input{" f ".tex}" \
	      > (dir "/chapters.tmp"); \
	    print substr($$0, i) > out }' $(TEX)/all.tmp
	@touch $(TEX)/front.tmp
	@for f in $(TEX)/*.tex.tmp; do cpif $${f%.tmp} < $$f; rm -f $$f; done
	@cpif $(TEX)/front.tex < $(TEX)/front.tmp
	@touch $(TEX)/index-data.tex
	@rm -f $(TEX)/all.tmp $(TEX)/front.tmp
	@mv $(TEX)/chapters.tmp $@

FIGURES := $(sort $(wildcard figures/*.tex))
BOOKTEX := $(wildcard book/*.tex book/*.sty)

# The numbers the walkthrough chapter quotes, predicted from the disk
# image by a script of that chapter.  The file keeps its time stamp when
# they did not change, so a new fs.img alone does not weave the book.
$(TEX)/walkfacts.tex: $(OUT)/fs.img $(OUT)/tangled
	@mkdir -p $(TEX)
	@python3 $(SRC)/tools/walkfacts.py $(OUT)/fs.img > $(TEX)/walkfacts.new
	@cpif $@ < $(TEX)/walkfacts.new && rm -f $(TEX)/walkfacts.new

# out/bench.tex, when make bench has written it, is the testing
# chapter's table of the reader's own measurements.
$(OUT)/book.pdf: $(TEX)/chapters.tex $(TEX)/walkfacts.tex $(FIGURES) \
                 $(BOOKTEX) $(wildcard $(OUT)/bench.tex) | deps-book
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

# ---------------------------------------------------------------------------
# The HTML edition.  The npm packages (the emulator, the terminal, the
# search index, the browser driver) are pinned by book/package-lock.json
# and installed by npm ci into book/node_modules.

NPM   := book/node_modules/.installed
HTML  := $(OUT)/html
FIGSVG := $(FIGURES:figures/%.tex=$(HTML)/figures/%.svg)

$(NPM): book/package.json book/package-lock.json | deps-editions
	cd book && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# The figures, each compiled alone from the same figures/*.tex the PDF
# uses: one pdflatex run makes a page per figure, pdf2svg a file per page.
$(OUT)/figures/figures.pdf: $(FIGURES) $(BOOKTEX) $(OUT)/tangled \
                            | deps-book
	@mkdir -p $(@D)
	@cp $(EDSRC)/figures.tex $(@D)/figures.tex
	@for f in $(FIGURES); do \
	  echo "\\onefigure{$$(basename $$f .tex)}"; done > $(@D)/list.tex
	@cd $(@D) && TEXINPUTS=.:../../book:../../figures: pdflatex \
	  -interaction=nonstopmode -halt-on-error figures.tex > pdflatex.log \
	  || { grep -A5 '^!' figures.log; exit 1; }

$(HTML)/figures/.done: $(OUT)/figures/figures.pdf | deps-editions
	@mkdir -p $(@D)
	@cd $(@D) && rm -f *.svg && pdf2svg ../../figures/figures.pdf %d.svg all \
	  && i=1 && for f in $(FIGURES); do \
	    mv $$i.svg $$(basename $$f .tex).svg; i=$$((i + 1)); done \
	  && rm -f [0-9]*.svg
	@touch $@

# The pages do not wait for the kernel: only the console's script of disk
# images does (editions/kerneldata.py), so with -j2 the pages are set
# while the kernel compiles, and a kernel edit repacks only that script.
$(HTML)/index.html: $(PIPE) $(OUT)/tangled $(HTML)/figures/.done $(NPM) \
                    $(TEX)/walkfacts.tex \
                    $(wildcard $(OUT)/bench.tex) | deps-editions
	python3 $(EDSRC)/mkhtml.py --pipe $(PIPE) --out $(HTML) --src $(EDSRC) \
	  --modules book/node_modules
	@node book/node_modules/pagefind/lib/runner/bin.cjs --site $(HTML) \
	  --output-subdir pagefind > $(OUT)/pagefind.log 2>&1 \
	  || { cat $(OUT)/pagefind.log; exit 1; }
	@echo "html: search index: $$(grep -o 'Indexed [0-9]* pages' $(OUT)/pagefind.log | head -1)"

$(HTML)/assets/kernel-data.js: $(OUT)/xv6.img $(OUT)/fs.img $(NPM) \
                               $(OUT)/tangled | deps-editions
	@mkdir -p $(@D)
	@python3 $(EDSRC)/kerneldata.py book/node_modules $(OUT)/xv6.img \
	  $(OUT)/fs.img $@

html: $(HTML)/index.html $(HTML)/assets/kernel-data.js

# A static server for the HTML edition, on this machine only: the search
# index is read with fetch(), which a page opened from the disk may not do.
SERVEPORT ?= 8000
serve: html
	@echo "serving $(HTML) at http://127.0.0.1:$(SERVEPORT)/ (Ctrl-C stops)"
	python3 -m http.server --bind 127.0.0.1 --directory $(HTML) $(SERVEPORT)

# ---------------------------------------------------------------------------
# Handouts: each chapter alone, with the book's page and chunk numbers; a
# reference into another chapter names it (editions/notes.py).

NOTES := $(CHAPTERS:chapters/%.nw=$(OUT)/notes/%.pdf)

$(OUT)/notes/%.pdf: $(TEX)/chapters.tex $(OUT)/book.pdf | deps-book
	@python3 $(EDSRC)/notes.py $* $(TEX) $(OUT)/notes/$*
	@cd $(OUT)/notes/$* && TEXINPUTS=.:../../tex:../../../book:../../../figures: \
	  latexmk -pdf -interaction=nonstopmode -halt-on-error -silent \
	  handout.tex > latexmk.out 2>&1 \
	  || { tail -20 latexmk.out; grep -A5 '^!' handout.log; \
	       rm -f handout.fdb_latexmk; exit 1; }
	@if grep -E 'undefined|Overfull \\hbox' $(OUT)/notes/$*/handout.log \
	  | grep -v 'Font'; then \
	  echo "notes: $* has undefined references or overfull lines" >&2; \
	  exit 1; fi
	@cp $(OUT)/notes/$*/handout.pdf $@

notes: $(NOTES)
	@echo "notes: $(words $(NOTES)) handouts in $(OUT)/notes"

# make deps installs the npm packages too.
deps: $(NPM)
