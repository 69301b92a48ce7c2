/**
 * Where JSON text goes wrong. Node 20's JSON.parse often names the bad token without its
 * position, so after a failed parse this small scanner walks the text to find the spot.
 */

export interface JsonErrorPlace {
  line: number;
  column: number;
  message: string;
}

class JsonSyntax extends Error {
  constructor(
    message: string,
    readonly offset: number,
  ) {
    super(message);
  }
}

/** The first syntax error in `text`, or undefined when it is valid JSON. */
export function findJsonError(text: string): JsonErrorPlace | undefined {
  const scanner = new Scanner(text);
  try {
    scanner.value();
    scanner.space();
    if (scanner.offset < text.length) scanner.fail('unexpected text after the JSON value');
    return undefined;
  } catch (error) {
    if (!(error instanceof JsonSyntax)) throw error;
    const before = text.slice(0, error.offset).split('\n');
    return {
      line: before.length,
      column: (before[before.length - 1]?.length ?? 0) + 1,
      message: error.message,
    };
  }
}

class Scanner {
  offset = 0;

  constructor(private readonly text: string) {}

  fail(message: string): never {
    throw new JsonSyntax(message, this.offset);
  }

  space() {
    while (/[ \t\r\n]/.test(this.text[this.offset] ?? '')) this.offset++;
  }

  value(): void {
    this.space();
    const char = this.text[this.offset];
    if (char === undefined) this.fail('unexpected end of input');
    if (char === '{') return this.object();
    if (char === '[') return this.array();
    if (char === '"') return this.string();
    if (char === '-' || (char >= '0' && char <= '9')) return this.number();
    for (const word of ['true', 'false', 'null']) {
      if (this.text.startsWith(word, this.offset)) {
        this.offset += word.length;
        return;
      }
    }
    this.fail(`unexpected ${describe(char)}`);
  }

  private object() {
    this.offset++;
    this.space();
    if (this.text[this.offset] === '}') return void this.offset++;
    for (;;) {
      this.space();
      if (this.text[this.offset] !== '"') this.fail('expected a property name in double quotes');
      this.string();
      this.space();
      if (this.text[this.offset] !== ':') this.fail("expected ':' after the property name");
      this.offset++;
      this.value();
      this.space();
      if (this.closes('}')) return;
    }
  }

  private array() {
    this.offset++;
    this.space();
    if (this.text[this.offset] === ']') return void this.offset++;
    for (;;) {
      this.value();
      this.space();
      if (this.closes(']')) return;
    }
  }

  /** After an element: true at the closing bracket, false after a comma. */
  private closes(bracket: string): boolean {
    const char = this.text[this.offset];
    this.offset++;
    if (char === bracket) return true;
    if (char === ',') return false;
    this.offset--;
    if (char === undefined) this.fail(`unexpected end of input, expected ',' or '${bracket}'`);
    return this.fail(`expected ',' or '${bracket}', found ${describe(char)}`);
  }

  private string() {
    this.offset++;
    for (;;) {
      const char = this.text[this.offset];
      if (char === undefined) this.fail('unterminated string');
      if (char === '"') return void this.offset++;
      if (char < ' ') this.fail('control character in a string');
      if (char === '\\') this.escape();
      else this.offset++;
    }
  }

  /** `\n`, `\"`, `\u00e9` and the other JSON escapes; anything else is an error. */
  private escape() {
    const next = this.text[this.offset + 1];
    if (next !== undefined && '"\\/bfnrt'.includes(next)) {
      this.offset += 2;
      return;
    }
    if (
      next === 'u' &&
      /^[0-9a-fA-F]{4}$/.test(this.text.slice(this.offset + 2, this.offset + 6))
    ) {
      this.offset += 6;
      return;
    }
    this.fail('invalid escape sequence in a string');
  }

  private number() {
    const match = /-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    match.lastIndex = this.offset;
    const found = match.exec(this.text);
    if (found === null || found[0] === '-') this.fail('invalid number');
    this.offset += found[0].length;
  }
}

function describe(char: string): string {
  return char === "'" ? 'a single quote (JSON strings use double quotes)' : `'${char}'`;
}
