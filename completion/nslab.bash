# SPDX-License-Identifier: MIT
# bash completion for nslab: commands, their options, running labs, the
# nodes of a lab, NODE:IF, topology files (*.ini) and folders. The words
# come from the binary ('nslab __complete ...', src/cli/complete.c), so
# they follow the command table and the labs that are up. Plain bash: it
# needs nothing of the bash-completion package but the place it loads from.

# nslab __complete WHAT ARGS..., with the --prefix the line gives
_nslab_ask()
{
	"${COMP_WORDS[0]}" "${_nslab_global[@]}" __complete "$@" 2>/dev/null
}

# Add the words of $1 (one a line) that start with $cur to COMPREPLY.
_nslab_add()
{
	local w
	while IFS= read -r w; do
		[[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$w")
	done <<<"$1"
}

# Topology files and the folders that may hold them (or be a Kathará lab).
_nslab_files()
{
	local w
	while IFS= read -r w; do
		[[ -n $w ]] && COMPREPLY+=("$w")
	done < <(compgen -d -- "$cur"; compgen -f -X '!*.ini' -- "$cur")
	compopt -o filenames 2>/dev/null
}

# Nodes of lab $1 ("": the default lab); with $2 = ':' as NODE: to go on
# with an interface, and as NODE:IF once the word has its ':'.
_nslab_nodes()
{
	if [[ $2 == : && $cur == *:* ]]; then
		_nslab_add "$(_nslab_ask ifaces "$1" "${cur%%:*}")"
		return
	fi
	local n
	while IFS= read -r n; do
		[[ -n $n && $n$2 == "$cur"* ]] && COMPREPLY+=("$n$2")
	done <<<"$(_nslab_ask nodes "$1")"
	[[ -n $2 ]] && compopt -o nospace 2>/dev/null
}

_nslab()
{
	local cur i w cmd ci=1 dashdash='' labs lab='' opts prev
	local -a words=() pos=() _nslab_global=()
	COMPREPLY=()
	# ':' is in COMP_WORDBREAKS: bash gives h1:eth0 as 'h1' ':' 'eth0'
	for ((i = 0; i <= COMP_CWORD; i++)); do
		w=${COMP_WORDS[i]}
		if ((${#words[@]} > 1)) && [[ $w == : || ${COMP_WORDS[i - 1]} == : ]]; then
			words[-1]+=$w
		else
			words+=("$w")
		fi
	done
	cur=${words[-1]}
	local last=$((${#words[@]} - 1))
	# nslab [--prefix P] COMMAND ...
	while ((ci < last)); do
		case ${words[ci]} in
		--prefix)
			((ci + 1 == last)) && return 0 # its value: anything
			_nslab_global+=(--prefix "${words[ci + 1]}")
			((ci += 2))
			;;
		--prefix=*)
			_nslab_global+=("${words[ci]}")
			((ci++))
			;;
		*) break ;;
		esac
	done
	if ((ci == last)); then
		if [[ $cur == -* ]]; then
			_nslab_add "$(_nslab_ask options)"
		else
			_nslab_add "$(_nslab_ask commands)"
		fi
		[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi
	cmd=${words[ci]}
	opts=$(_nslab_ask options "$cmd")
	# the words so far that are operands: not options, nor their values
	for ((i = ci + 1; i < last; i++)); do
		w=${words[i]}
		if [[ -n $dashdash ]]; then
			pos+=("$w")
		elif [[ $w == -- ]]; then
			dashdash=$i
		elif [[ $w == -* ]]; then
			[[ $w != *=* && $'\n'$opts$'\n' == *$'\n'$w=$'\n'* ]] && ((i++))
		else
			pos+=("$w")
		fi
	done
	prev=${words[last - 1]}
	if [[ -z $dashdash && $prev == -* && $prev != *=* && $'\n'$opts$'\n' == *$'\n'$prev=$'\n'* ]]; then
		# an option's value: a file for those that write or read one
		case $prev in
		-o | -w | --output | --write | --junit) compopt -o default 2>/dev/null ;;
		esac
		return 0
	fi
	if [[ -n $dashdash ]]; then # another program's words
		compopt -o default 2>/dev/null
		return 0
	fi
	if [[ $cur == -* ]]; then
		_nslab_add "$(grep '^--' <<<"$opts")"
		[[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi
	labs=$(_nslab_ask labs)
	# [LAB] first: is the first operand one of the labs?
	local n=${#pos[@]} after=${#pos[@]}
	if ((n)) && [[ $'\n'$labs$'\n' == *$'\n'${pos[0]}$'\n'* ]]; then
		lab=${pos[0]}
		after=$((n - 1))
	fi
	case $cmd in
	up | test | validate | plan)
		((n == 0)) && _nslab_files
		;;
	cluster) # up|down|check|test, then the topology
		((n == 0)) && _nslab_add $'up\ndown\ncheck\ntest'
		((n == 1)) && _nslab_files
		;;
	grade) # REFERENCE, then students: files and folders
		_nslab_files
		;;
	graph) # a topology or a running lab
		((n == 0)) && _nslab_add "$labs" && _nslab_files
		;;
	down)
		_nslab_add "$labs"
		_nslab_files
		;;
	diff)
		((n == 0)) && _nslab_add "$labs"
		((after == 0)) && _nslab_files
		;;
	help)
		((n == 0)) && _nslab_add "$(_nslab_ask commands)"
		;;
	import)
		((n == 0)) && _nslab_add kathara
		((n == 1)) && compopt -o dirnames 2>/dev/null
		;;
	show)
		((n == 0)) && _nslab_add "$labs"
		((n == 1 && ${#lab})) && _nslab_nodes "$lab"
		;;
	check | pingall | ps | save)
		((n == 0)) && _nslab_add "$labs"
		;;
	exec | shell | logs)
		((n == 0)) && _nslab_add "$labs"
		((after == 0)) && _nslab_nodes "$lab"
		[[ $cmd == logs && $after == 0 ]] && _nslab_add dns
		[[ $cmd == exec && $after == 1 ]] && _nslab_add "$(compgen -c -- "$cur")"
		;;
	ping | tracepath | explain)
		((n == 0)) && _nslab_add "$labs"
		if ((after < 2)); then
			if [[ $cur == *:* ]]; then _nslab_nodes "$lab" :; else _nslab_nodes "$lab"; fi
		fi
		;;
	capture | link | impair)
		((n == 0)) && [[ $cur != *:* ]] && _nslab_add "$labs"
		((after == 0)) && _nslab_nodes "$lab" :
		[[ $cmd == link && $after == 1 ]] && _nslab_add $'up\ndown'
		;;
	esac
	# bash replaces only what follows the last ':' of the word
	if [[ $cur == *:* && $COMP_WORDBREAKS == *:* ]]; then
		local colon=${cur%"${cur##*:}"}
		COMPREPLY=("${COMPREPLY[@]#"$colon"}")
	fi
	return 0
}
complete -F _nslab nslab
