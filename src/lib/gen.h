/* SPDX-License-Identifier: MIT */
/* Topology generators: Kubernetes network models and benchmark shapes. */
#pragma once

#include "util.h"

enum gen_model {
	GEN_FLANNEL_VXLAN,
	GEN_HOST_GW,
	GEN_CALICO_ROUTED,
	_GEN_MODEL_MAX,
	_GEN_MODEL_INVALID = -1,
};

const char *gen_model_to_string(enum gen_model m);
enum gen_model gen_model_from_string(const char *s);

#define GEN_K8S_NODES_MAX 200 /* the underlay is one /24: 192.168.0.(10+N) */
#define GEN_K8S_PODS_MAX 50
#define GEN_NODES_MAX 10000
#define GEN_STAR_LEAF 250 /* hosts per leaf bridge of a large star */

/* The topology text; name NULL: the default ("k8s-flannel-vxlan", ...).
 * Counts are checked by the caller against the limits above. */
/* mtu: the pods' MTU (their veths and cni0); 0: the model's (flannel's
 * VXLAN: 1450, its underlay's 1500 less VXLAN's 50; else the kernel's). */
char *gen_k8s(enum gen_model m, unsigned nodes, unsigned pods, const char *name, unsigned mtu);
/* What flannel's VXLAN backend gives its pods: FLANNEL_MTU */
#define GEN_FLANNEL_VXLAN_MTU 1450
char *gen_star(unsigned nodes, const char *name);
char *gen_linear(unsigned nodes, const char *name);
