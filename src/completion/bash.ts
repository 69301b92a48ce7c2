/** The bash completion script: a `complete -F` function that needs no bash-completion package. */
import {
  type CompletionSpec,
  DATA_COMMENTS,
  REGENERATE,
  VALUE_COMMENT,
  caseByPath,
  caseByValue,
  joinNames,
  longFlags,
  placeCommands,
  quotePosix,
  repeatedIndex,
  valueFlags,
} from './model.js';

export function generateBash(spec: CompletionSpec): string {
  const placed = placeCommands(spec);
  const describe = caseByPath(placed, (entry) => [
    `_gcmpush_commands=${quotePosix(joinNames(entry.command.subcommands))}`,
    `_gcmpush_flags=${quotePosix(joinNames(longFlags(entry.options)))}`,
    `_gcmpush_value_flags=${quotePosix(valueFlags(entry.options).join(' '))}`,
    `_gcmpush_repeat=${repeatedIndex(entry.command)}`,
  ]);
  const value = caseByValue(placed);
  return [BASH_HEADER, DATA_COMMENTS, describe, '', VALUE_COMMENT, value, BASH_BODY].join('\n');
}

const BASH_HEADER = `
# bash completion for gcmpush (bash 4 or later), printed by \`gcmpush completion bash\`.
# Install it with one of:
#   gcmpush completion bash > ~/.local/share/bash-completion/completions/gcmpush
#   echo 'source <(gcmpush completion bash)' >> ~/.bashrc
${REGENERATE}
`;

const BASH_BODY = `
_gcmpush_names() {
  command gcmpush ids list 2>/dev/null | cut -f1
}

# Fills COMPREPLY from the word being completed ($1) and a kind with its words (the rest).
_gcmpush_reply() {
  local cur=$1 kind=$2 head=
  shift 2
  case $kind in
    files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    at-file)
      [[ $cur == @* ]] || return 0
      mapfile -t COMPREPLY < <(compgen -P @ -f -- "\${cur#@}") ;;
    names) mapfile -t COMPREPLY < <(compgen -W "$(_gcmpush_names)" -- "$cur") ;;
    name-list)
      [[ $cur == *,* ]] && head=\${cur%,*},
      mapfile -t COMPREPLY < <(compgen -P "$head" -W "$(_gcmpush_names)" -- "\${cur##*,}") ;;
    words) mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur") ;;
  esac
}

_gcmpush_has() {
  [[ -n $2 && " $1 " == *" $2 "* ]]
}

_gcmpush() {
  local cur=\${COMP_WORDS[COMP_CWORD]} flag=\${COMP_WORDS[COMP_CWORD-1]} path=gcmpush word
  local _gcmpush_commands _gcmpush_flags _gcmpush_value_flags _gcmpush_repeat _gcmpush_kind
  local -i i=1 index=0
  COMPREPLY=()
  _gcmpush_describe "$path"
  for (( ; i < COMP_CWORD; i++ )); do
    word=\${COMP_WORDS[i]}
    if _gcmpush_has "$_gcmpush_value_flags" "$word"; then
      # bash splits --flag=value at the "=", so skip "=" as well as the value.
      (( i++ ))
      [[ \${COMP_WORDS[i]} == = ]] && (( i++ ))
    elif [[ $word != -* ]] && (( index == 0 )) && _gcmpush_has "$_gcmpush_commands" "$word"; then
      path+=" $word"
      _gcmpush_describe "$path"
    elif [[ $word != -* ]]; then
      (( index++ ))
    fi
  done
  if [[ $cur == = ]]; then
    cur=
  elif [[ $flag == = ]]; then
    flag=\${COMP_WORDS[COMP_CWORD-2]}
  fi
  if _gcmpush_has "$_gcmpush_value_flags" "$flag"; then
    _gcmpush_value "$path" "$flag"
  elif [[ $cur == -* ]]; then
    _gcmpush_kind=(words $_gcmpush_flags)
  elif (( index == 0 )) && [[ -n $_gcmpush_commands ]]; then
    _gcmpush_kind=(words $_gcmpush_commands)
  else
    (( _gcmpush_repeat >= 0 && index > _gcmpush_repeat )) && index=_gcmpush_repeat
    _gcmpush_value "$path" "#$index"
  fi
  (( \${#_gcmpush_kind[@]} )) && _gcmpush_reply "$cur" "\${_gcmpush_kind[@]}"
  return 0
}

complete -F _gcmpush gcmpush`;
