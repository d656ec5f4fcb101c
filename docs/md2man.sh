#!/bin/sh
# SPDX-License-Identifier: MIT
# md2man.sh IN.md OUT NAME SECTION VERSION 'SUMMARY': the markdown of
# docs/topology.md as a man(7) page, so that the format has one source.
# It knows the subset topology.md uses, no more: '#' headings (the first
# one is the title and is dropped), paragraphs, '*'/'-' lists whose items
# continue on indented lines, pipe tables (a row becomes a tagged
# paragraph: the first cell is the tag, the others "Header: cell"), fenced
# code blocks, inline `code`, **bold** and [links](target). POSIX sh and
# awk (mawk is enough): no python on a minimal Debian.
set -eu
[ $# -eq 6 ] || {
	echo "usage: md2man.sh IN.md OUT NAME SECTION VERSION SUMMARY" >&2
	exit 2
}
in=$1 out=$2 name=$3 sect=$4 version=$5 summary=$6
upper=$(printf '%s' "$name" | tr a-z A-Z)
tmp="$out.tmp"
trap 'rm -f "$tmp"' EXIT

awk -v name="$name" -v upper="$upper" -v sect="$sect" -v version="$version" \
	-v summary="$summary" -v src="$in" -v srcname="$(basename "$in")" '
# Plain text for roff: a backslash is \e; a line must not start with a
# control character ("." or "\x27"), so \& goes before one.
function esc(s) {
	gsub(/\\/, "\\e", s)
	return s
}
# Code: also every "-" is a minus (\-), so that options copy and paste.
function esc_code(s) {
	s = esc(s)
	gsub(/-/, "\\-", s)
	return s
}
function lead(s) {
	if (s ~ /^[.\x27]/)
		s = "\\&" s
	return s
}
# Text outside code: escaped, **bold** in bold.
function marks(s) {
	s = esc(s)
	while (match(s, /\*\*[^*]+\*\*/))
		s = substr(s, 1, RSTART - 1) "\\fB" substr(s, RSTART + 2, RLENGTH - 4) "\\fR" \
			substr(s, RSTART + RLENGTH)
	return s
}
# [text](target) becomes text, before code spans are found (a link text
# may be code: [`[dns]`](#dns)).
function links(s,    out, i, j, depth, c, text, target) {
	out = ""
	# links: [text](target), text may hold brackets ([[lab]](#lab))
	while ((i = index(s, "[")) > 0) {
		depth = 0
		for (j = i; j <= length(s); j++) {
			c = substr(s, j, 1)
			if (c == "[")
				depth++
			else if (c == "]" && --depth == 0)
				break
		}
		if (j > length(s) || substr(s, j + 1, 1) != "(" || !index(substr(s, j + 2), ")")) {
			out = out substr(s, 1, i)
			s = substr(s, i + 1)
			continue
		}
		text = substr(s, i + 1, j - i - 1)
		target = substr(s, j + 2)
		target = substr(target, 1, index(target, ")") - 1)
		out = out substr(s, 1, i - 1) text link_target(target)
		s = substr(s, j + 2 + length(target) + 1)
	}
	return out s
}
# What a link adds to its text: where it leads when that is another file
# or a web page (an anchor of this page needs no address).
function link_target(t) {
	if (t ~ /^#/ || t == "")
		return ""
	if (t ~ /^https?:/)
		return " <" t ">"
	sub(/#.*/, "", t)
	return " (docs/" t ")"
}
# A line of text: code spans literal, the rest through marks().
function inline(s,    out, i, j) {
	out = ""
	s = links(s)
	while ((i = index(s, "`")) > 0) {
		j = index(substr(s, i + 1), "`")
		if (!j)
			break
		out = out marks(substr(s, 1, i - 1)) "\\fB\\%" esc_code(substr(s, i + 1, j - 1)) "\\fR"
		s = substr(s, i + j + 1)
	}
	return out marks(s)
}
# A paragraph or list item is converted whole, so that code spans and
# links may run over a line end.
function add(s) {
	buf = buf == "" ? s : buf "\n" s
}
function flush(    out, lines, n, i) {
	if (buf == "")
		return
	out = inline(buf)
	n = split(out, lines, "\n")
	for (i = 1; i <= n; i++)
		print lead(lines[i])
	buf = ""
}
function flush_para() {
	flush()
	in_para = 0
}
function end_block() {
	flush_para()
	if (in_list) {
		in_list = 0
		print ".RE"
		print ".PP"
	}
}
function cells(line, arr,    n, i, s, c, cur) {
	# split a table row at "|" but not at "\|" (a bar in a cell)
	sub(/^[ \t]*\|/, "", line)
	sub(/\|[ \t]*$/, "", line)
	n = 0
	cur = ""
	for (i = 1; i <= length(line); i++) {
		c = substr(line, i, 1)
		if (c == "\\" && substr(line, i + 1, 1) == "|") {
			cur = cur "|"
			i++
		} else if (c == "|") {
			arr[++n] = cur
			cur = ""
		} else
			cur = cur c
	}
	arr[++n] = cur
	for (i = 1; i <= n; i++) {
		sub(/^[ \t]+/, "", arr[i])
		sub(/[ \t]+$/, "", arr[i])
	}
	return n
}
# A cell may hold <br>: each part on a line of its own.
function cell_out(s,    parts, n, i) {
	n = split(s, parts, /<br>/)
	for (i = 1; i <= n; i++) {
		if (i > 1)
			print ".br"
		print lead(inline(parts[i]))
	}
}
BEGIN {
	print ".\\\" -*- coding: UTF-8 -*-"
	print ".\\\" SPDX-License-Identifier: MIT"
	print ".\\\" Generated from docs/" srcname " by docs/md2man.sh: edit that file."
	printf ".TH %s %s \"\" \"nslab %s\" \"File Formats\"\n", upper, sect, version
	print ".nh"
	print ".ad l"
	print ".SH NAME"
	print name " \\- " summary
	print ".SH DESCRIPTION"
	fence = 0; in_list = 0; in_para = 0; table = 0; title = 1
}
# fenced code: literal, no fill
/^```/ {
	if (!fence) {
		end_block()
		table = 0
		print ".PP"
		print ".RS 4"
		print ".nf"
		fence = 1
	} else {
		print ".fi"
		print ".RE"
		print ".PP"
		fence = 0
	}
	next
}
fence {
	print lead(esc_code($0))
	next
}
/^<!--.*-->[ \t]*$/ { next }
/^#+ / {
	end_block()
	table = 0
	level = index($0, " ") - 1
	text = substr($0, level + 2)
	if (level == 1 && title) {
		title = 0
		next
	}
	gsub(/`/, "", text)
	gsub(/"/, "\\(dq", text)
	printf "%s \"%s\"\n", level <= 2 ? ".SH" : ".SS", esc(text)
	next
}
/^[ \t]*$/ {
	end_block()
	table = 0
	next
}
/^\|/ {
	n = cells($0, row)
	if (!table) {
		end_block()
		for (i = 1; i <= n; i++)
			head[i] = row[i]
		table = 1
		print ".PP"
		next
	}
	if (table == 1) { # the |---|---| line
		table = 2
		next
	}
	print ".TP"
	cell_out(row[1])
	for (i = 2; i <= n; i++) {
		if (row[i] == "")
			continue
		if (i > 2)
			print ".br"
		# the last column of a key table is its meaning: no label
		if (n > 2 && !(i == n && head[i] == "Meaning"))
			print "\\fI" inline(head[i]) ":\\fR"
		cell_out(row[i])
	}
	next
}
/^[*-] / || /^[0-9]+\. / {
	flush_para()
	if (!in_list) {
		print ".RS 2"
		in_list = 1
	}
	if ($0 ~ /^[*-] /) {
		print ".IP \\(bu 2"
		add(substr($0, 3))
	} else {
		tag = $0
		sub(/ .*/, "", tag)
		print ".IP " tag " 4"
		add(substr($0, length(tag) + 2))
	}
	next
}
{
	line = $0
	sub(/^[ \t]+/, "", line)
	if (!in_list && !in_para) {
		print ".PP"
	}
	in_para = 1
	add(line)
}
END {
	if (fence) {
		print src ": a code fence is not closed" > "/dev/stderr"
		exit 1
	}
	end_block()
}
' "$in" >"$tmp"
mv "$tmp" "$out"
trap - EXIT
