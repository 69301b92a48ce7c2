/** The zsh completion script: `#compdef`, working from fpath or sourced. */
import {
  type CompletionSpec,
  DATA_COMMENTS,
  REGENERATE,
  VALUE_COMMENT,
  caseByPath,
  caseByValue,
  longFlags,
  oneLine,
  placeCommands,
  quotePosix,
  repeatedIndex,
  valueFlags,
} from './model.js';

export function generateZsh(spec: CompletionSpec): string {
  const placed = placeCommands(spec);
  const describe = caseByPath(placed, (entry) => [
    `_gcmpush_commands=(${entry.command.subcommands.map(describeZsh).join(' ')})`,
    `_gcmpush_flags=(${longFlags(entry.options).map(describeZsh).join(' ')})`,
    `_gcmpush_value_flags=(${valueFlags(entry.options).map(quotePosix).join(' ')})`,
    `_gcmpush_repeat=${repeatedIndex(entry.command)}`,
  ]);
  const value = caseByValue(placed);
  return [ZSH_HEADER, DATA_COMMENTS, describe, '', VALUE_COMMENT, value, ZSH_BODY].join('\n');
}

/** One `NAME:DESCRIPTION` entry of a zsh `_describe` array. */
function describeZsh(item: { name: string; description: string }): string {
  return quotePosix(`${item.name.replaceAll(':', '\\:')}:${oneLine(item.description)}`);
}

const ZSH_HEADER = `#compdef gcmpush
# zsh completion for gcmpush, printed by \`gcmpush completion zsh\`. Install it with one of:
#   gcmpush completion zsh > ~/.zfunc/_gcmpush
#     with fpath=(~/.zfunc $fpath) before compinit in ~/.zshrc
#   echo 'source <(gcmpush completion zsh)' >> ~/.zshrc    (after compinit)
${REGENERATE}
`;

const ZSH_BODY = `
# Offers a kind of completion ($1) with its words (the rest).
_gcmpush_reply() {
  local kind=$1
  local -a names
  shift
  if [[ $kind == names || $kind == name-list ]]; then
    names=(\${\${(f)"$(command gcmpush ids list 2>/dev/null)"}%%$'\\t'*})
  fi
  case $kind in
    (files) _files ;;
    (at-file) compset -P '@' && _files ;;
    (names) compadd -a names ;;
    (name-list) compset -P '*,'; compadd -a names ;;
    (words) compadd -- "$@" ;;
  esac
}

_gcmpush() {
  local command_path=gcmpush word flag=\${words[CURRENT-1]}
  local -a _gcmpush_commands _gcmpush_flags _gcmpush_value_flags _gcmpush_kind
  local _gcmpush_repeat
  integer i index=0
  _gcmpush_describe "$command_path"
  for (( i = 2; i < CURRENT; i++ )); do
    word=\${words[i]}
    if (( \${_gcmpush_value_flags[(Ie)$word]} )); then
      (( i++ ))
    elif [[ $word != -* ]] && (( index == 0 && \${\${(@)_gcmpush_commands%%:*}[(Ie)$word]} )); then
      command_path+=" $word"
      _gcmpush_describe "$command_path"
    elif [[ $word != -* ]]; then
      (( index++ ))
    fi
  done
  if [[ $PREFIX == --*=* ]]; then
    flag=\${PREFIX%%=*}
    compset -P '*='
  fi
  if (( \${_gcmpush_value_flags[(Ie)$flag]} )); then
    _gcmpush_value "$command_path" "$flag"
  elif [[ $PREFIX == -* ]]; then
    _describe -t options option _gcmpush_flags
    return
  elif (( index == 0 && $#_gcmpush_commands )); then
    _describe -t commands command _gcmpush_commands
    return
  else
    (( _gcmpush_repeat >= 0 && index > _gcmpush_repeat )) && index=_gcmpush_repeat
    _gcmpush_value "$command_path" "#$index"
  fi
  (( $#_gcmpush_kind )) && _gcmpush_reply "\${_gcmpush_kind[@]}"
}

# From fpath this file is the body of _gcmpush; sourced, it registers the function instead.
if [[ \${funcstack[1]} == _gcmpush ]]; then
  _gcmpush "$@"
else
  compdef _gcmpush gcmpush
fi`;

// LIMITATION: fish tests see any earlier word: `ids rm send` offers send's flags too.
// LIMITATION: fish tests see no argument position, so both arguments of `ids rename` get names.
