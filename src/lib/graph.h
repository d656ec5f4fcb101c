/* SPDX-License-Identifier: MIT */
/* A lab as a picture (nslab graph): its nodes, switches (bridges of the
 * switch namespace and bridges in nodes), links and tunnels, as Graphviz
 * dot or mermaid text. Made from the topology only, so the same file gives
 * the same bytes; a running lab adds which interfaces are down. */
#pragma once

#include "show.h"
#include "topology.h"

enum graph_format {
	GRAPH_DOT,
	GRAPH_MERMAID,
	_GRAPH_FORMAT_MAX,
	_GRAPH_FORMAT_INVALID = -1,
};

const char *graph_format_to_string(enum graph_format f);
enum graph_format graph_format_from_string(const char *s);

/* The picture of validated lab in format f, appended to out. down: the
 * interfaces that are down ("NODE:IF" in the lab's node names, the
 * switch namespace's node included; graph_down makes it), or NULL; a link
 * or tunnel with an end among them is drawn dashed, red, labelled down. */
void graph_write(const struct topo_lab *lab, const struct strvec *down, enum graph_format f,
		 struct sbuf *out);

/* Which of lab's interfaces running lab s (show_read) has down, or not
 * at all: "NODE:IF" for graph_write. */
void graph_down(const struct topo_lab *lab, const struct show_lab *s, struct strvec *ret);

/* A page that needs nothing else: svg (Graphviz's output; NULL when there
 * is none, and the page says how to get it) and the dot source it came
 * from, for lab `name`, appended to out. */
void graph_html(const char *name, const char *svg, const char *dot, struct sbuf *out);
