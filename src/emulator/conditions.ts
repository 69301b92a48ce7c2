/**
 * Topic names and topic conditions such as `'a' in topics && ('b' in topics || 'c' in topics)`.
 * Operators are `&&` and `||` with parentheses; `&&` binds tighter, as in the FCM docs.
 */
import { accept, refuse, type Parsed } from './checks.js';

/** A parsed condition: one topic test, or two joined by an operator. */
export type Condition =
  { topic: string } | { operator: '&&' | '||'; left: Condition; right: Condition };

interface Token {
  kind: 'name' | 'word' | 'symbol';
  text: string;
}

// FCM's documented limit once conditions grew past the legacy two-operator rule.
const MAX_CONDITION_TOPICS = 5;
const TOPIC_NAME = /^[\w.~%-]+$/;
const TOKEN = /\s*(?:'([^']*)'|"([^"]*)"|(&&|\|\||\(|\))|([A-Za-z]+))/y;

/** Topic names match `[a-zA-Z0-9-_.~%]+`. */
export function isTopicName(name: string): boolean {
  return TOPIC_NAME.test(name);
}

function splitTokens(text: string): Parsed<Token[]> {
  const tokens: Token[] = [];
  const trimmed = text.trim();
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < trimmed.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(trimmed);
    if (match === null) return refuse(`unexpected text at position ${at}`);
    const [, single, double, symbol, word] = match;
    if (symbol !== undefined) tokens.push({ kind: 'symbol', text: symbol });
    else if (word !== undefined) tokens.push({ kind: 'word', text: word.toLowerCase() });
    else tokens.push({ kind: 'name', text: single ?? double ?? '' });
  }
  return accept(tokens);
}

/** Recursive descent over the token list; every method moves `position` forward. */
class ConditionReader {
  private position = 0;
  topicCount = 0;

  constructor(private readonly tokens: Token[]) {}

  readAll(): Condition {
    const condition = this.readOr();
    const extra = this.tokens[this.position];
    if (extra !== undefined) throw new Error(`unexpected "${extra.text}"`);
    return condition;
  }

  private readOr(): Condition {
    let left = this.readAnd();
    while (this.skip('symbol', '||')) left = { operator: '||', left, right: this.readAnd() };
    return left;
  }

  private readAnd(): Condition {
    let left = this.readTerm();
    while (this.skip('symbol', '&&')) left = { operator: '&&', left, right: this.readTerm() };
    return left;
  }

  private readTerm(): Condition {
    if (this.skip('symbol', '(')) {
      const inner = this.readOr();
      if (!this.skip('symbol', ')')) throw new Error('missing ")"');
      return inner;
    }
    const name = this.tokens[this.position];
    if (name?.kind !== 'name') throw new Error('expected a quoted topic name');
    this.position += 1;
    if (!isTopicName(name.text)) throw new Error(`invalid topic name "${name.text}"`);
    if (!this.skip('word', 'in') || !this.skip('word', 'topics')) {
      throw new Error(`expected "in topics" after '${name.text}'`);
    }
    this.topicCount += 1;
    return { topic: name.text };
  }

  private skip(kind: Token['kind'], text: string): boolean {
    const token = this.tokens[this.position];
    if (token?.kind !== kind || token.text !== text) return false;
    this.position += 1;
    return true;
  }
}

/** Parses a condition; `in` and `topics` may be in any letter case. */
export function parseCondition(text: string): Parsed<Condition> {
  const tokens = splitTokens(text);
  if (!tokens.ok) return tokens;
  const reader = new ConditionReader(tokens.value);
  try {
    const condition = reader.readAll();
    if (reader.topicCount > MAX_CONDITION_TOPICS) {
      return refuse(`a condition may name at most ${MAX_CONDITION_TOPICS} topics`);
    }
    return accept(condition);
  } catch (error) {
    return refuse((error as Error).message);
  }
}

/** True when a device following `topics` matches the condition. */
export function evaluateCondition(condition: Condition, topics: ReadonlySet<string>): boolean {
  if ('topic' in condition) return topics.has(condition.topic);
  const left = evaluateCondition(condition.left, topics);
  if (condition.operator === '&&') return left && evaluateCondition(condition.right, topics);
  return left || evaluateCondition(condition.right, topics);
}
