/*
 * A tokenizer, written as an explicit state machine over a character-class table. The
 * text is generated from the seed: identifiers and keywords, decimal and hexadecimal
 * numbers, malformed numbers ("12ab"), one- and two-character operators, string
 * literals with escapes, comments and line breaks. The scanner counts every kind of
 * token, sums the numbers, hashes the identifiers and looks each one up among the
 * keywords.
 */
#include "bench.h"

#define SCAN_BYTES 4096
#define SCAN_ROOM 48		/* the longest token the generator writes, and then some */

enum cls { C_OTHER, C_SPACE, C_NEWLINE, C_ALPHA, C_DIGIT, C_QUOTE, C_BACKSLASH, C_HASH,
	   C_OP1, C_OP2, NCLASSES };

enum state { S_START, S_IDENT, S_ZERO, S_DEC, S_HEX_PREFIX, S_HEX, S_BAD, S_OP2,
	     S_STRING, S_ESCAPE, S_COMMENT };

enum kind { K_IDENT, K_KEYWORD, K_DEC, K_HEX, K_BAD, K_OP, K_STRING, K_COMMENT,
	    K_LINE, K_ERROR, NKINDS };

static uint8_t cls[256];
static char text[SCAN_BYTES + 1];

static const char *const keywords[] = {
	"if", "else", "while", "for", "return", "int", "char", "struct", "static", "void",
	"break", "continue", "switch", "case", "default", "goto",
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

static const char *const operators[] = {
	"+", "-", "*", "/", "%", "=", "==", "!=", "<", "<=", ">", ">=", "(", ")", "{", "}",
	";", ",", "&", "|", "!",
};
#define NOPERATORS (sizeof operators / sizeof operators[0])

static const char ident_chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_0123456789";
static const char hex_chars[] = "0123456789abcdefABCDEF";

void bench_scan_init(void)
{
	for (int c = 0; c < 256; c++) {
		uint8_t k = C_OTHER;
		if (c == ' ' || c == '\t' || c == '\r')
			k = C_SPACE;
		else if (c == '\n')
			k = C_NEWLINE;
		else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_')
			k = C_ALPHA;
		else if (c >= '0' && c <= '9')
			k = C_DIGIT;
		else if (c == '"')
			k = C_QUOTE;
		else if (c == '\\')
			k = C_BACKSLASH;
		else if (c == '#')
			k = C_HASH;
		else if (c == '=' || c == '!' || c == '<' || c == '>')
			k = C_OP2;	/* may be followed by '=' */
		else if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%' || c == '(' ||
			 c == ')' || c == '{' || c == '}' || c == ';' || c == ',' || c == '&' || c == '|')
			k = C_OP1;
		cls[c] = k;
	}
}

static int put_str(int at, const char *s)
{
	while (*s != '\0')
		text[at++] = *s++;
	return at;
}

static int generate(uint32_t *rng)
{
	int at = 0;
	while (at < SCAN_BYTES - SCAN_ROOM) {
		uint32_t pick = lcg_below(rng, 20), n;
		switch (pick) {
		case 0: case 1: case 2: case 3: case 4: case 5:	/* identifier */
			text[at++] = ident_chars[lcg_below(rng, 53)];
			for (n = lcg_below(rng, 10); n > 0; n--)
				text[at++] = ident_chars[lcg_below(rng, 63)];
			break;
		case 6: case 7:		/* keyword */
			at = put_str(at, keywords[lcg_below(rng, NKEYWORDS)]);
			break;
		case 8: case 9:		/* decimal */
			text[at++] = (char)('1' + lcg_below(rng, 9));
			for (n = lcg_below(rng, 9); n > 0; n--)
				text[at++] = (char)('0' + lcg_below(rng, 10));
			break;
		case 10:		/* hexadecimal, or a lone 0 */
			text[at++] = '0';
			if (lcg_below(rng, 4) != 0) {
				text[at++] = lcg_below(rng, 2) ? 'x' : 'X';
				for (n = 1 + lcg_below(rng, 8); n > 0; n--)
					text[at++] = hex_chars[lcg_below(rng, 22)];
			}
			break;
		case 11:		/* malformed number */
			text[at++] = (char)('0' + lcg_below(rng, 10));
			text[at++] = 'q';
			text[at++] = ident_chars[lcg_below(rng, 63)];
			break;
		case 12: case 13: case 14: case 15:	/* operator */
			at = put_str(at, operators[lcg_below(rng, NOPERATORS)]);
			break;
		case 16:		/* string literal */
			text[at++] = '"';
			for (n = lcg_below(rng, 16); n > 0; n--) {
				uint32_t r = lcg_below(rng, 32);
				if (r == 0) {
					text[at++] = '\\';
					text[at++] = '"';
				} else if (r == 1) {
					text[at++] = '\\';
					text[at++] = 'n';
				} else {
					text[at++] = (char)('0' + r);
				}
			}
			text[at++] = '"';
			break;
		case 17:		/* comment to the end of the line */
			text[at++] = '#';
			for (n = lcg_below(rng, 24); n > 0; n--)
				text[at++] = (char)('a' + lcg_below(rng, 26));
			text[at++] = '\n';
			break;
		case 18:		/* a stray character */
			text[at++] = lcg_below(rng, 2) ? '@' : '$';
			break;
		default:
			text[at++] = '\n';
			break;
		}
		/* Separators: usually one space, sometimes none or several. */
		uint32_t sep = lcg_below(rng, 8);
		if (sep == 0)
			text[at++] = '\t';
		else if (sep < 6)
			text[at++] = ' ';
		else if (sep == 6) {
			text[at++] = ' ';
			text[at++] = ' ';
		}
	}
	text[at] = '\0';
	return at;
}

static int is_keyword(const char *s, int len)
{
	for (unsigned k = 0; k < NKEYWORDS; k++) {
		const char *w = keywords[k];
		int i = 0;
		while (i < len && w[i] == s[i])
			i++;
		if (i == len && w[i] == '\0')
			return 1;
	}
	return 0;
}

static uint32_t hex_value(int c)
{
	return c <= '9' ? (uint32_t)(c - '0') : (uint32_t)((c | 0x20) - 'a' + 10);
}

struct tally {
	uint32_t count[NKINDS];
	uint32_t numbers;	/* sum of the values, mod 2^32 */
	uint32_t names;		/* FNV-1a over the identifiers */
	uint32_t string_bytes;
};

/* The text ends in '\0' (class C_OTHER), which finishes any token in progress. */
static void scan(const char *s, int len, struct tally *t)
{
	enum state st = S_START;
	int start = 0;
	uint32_t value = 0;

	for (int i = 0; i <= len; i++) {
		int c = (uint8_t)s[i];
		enum cls k = (enum cls)cls[c];
	again:
		switch (st) {
		case S_START:
			start = i;
			switch (k) {
			case C_ALPHA: st = S_IDENT; break;
			case C_DIGIT:
				value = (uint32_t)(c - '0');
				st = c == '0' ? S_ZERO : S_DEC;
				break;
			case C_OP1: t->count[K_OP]++; break;
			case C_OP2: st = S_OP2; break;
			case C_QUOTE: st = S_STRING; break;
			case C_HASH: st = S_COMMENT; break;
			case C_NEWLINE: t->count[K_LINE]++; break;
			case C_SPACE: break;
			default:
				if (i < len)
					t->count[K_ERROR]++;
				break;
			}
			break;
		case S_IDENT:
			if (k == C_ALPHA || k == C_DIGIT)
				break;
			if (is_keyword(s + start, i - start)) {
				t->count[K_KEYWORD]++;
			} else {
				t->count[K_IDENT]++;
				for (int j = start; j < i; j++)
					t->names = (t->names ^ (uint8_t)s[j]) * 0x01000193u;
			}
			st = S_START;
			goto again;
		case S_ZERO:
			if (c == 'x' || c == 'X') {
				st = S_HEX_PREFIX;
				break;
			}
			/* fall through */
		case S_DEC:
			if (k == C_DIGIT) {
				value = value * 10 + (uint32_t)(c - '0');
				st = S_DEC;
				break;
			}
			if (k == C_ALPHA) {
				st = S_BAD;
				break;
			}
			t->count[K_DEC]++;
			t->numbers += value;
			st = S_START;
			goto again;
		case S_HEX_PREFIX:
		case S_HEX:
			if (k == C_DIGIT || (k == C_ALPHA && ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'))) {
				value = value << 4 | hex_value(c);
				st = S_HEX;
				break;
			}
			if (k == C_ALPHA || st == S_HEX_PREFIX) {
				st = S_BAD;
				goto again;
			}
			t->count[K_HEX]++;
			t->numbers += value;
			st = S_START;
			goto again;
		case S_BAD:
			if (k == C_ALPHA || k == C_DIGIT)
				break;
			t->count[K_BAD]++;
			st = S_START;
			goto again;
		case S_OP2:
			t->count[K_OP]++;
			st = S_START;
			if (c == '=')
				break;
			goto again;
		case S_STRING:
			if (k == C_QUOTE) {
				t->count[K_STRING]++;
				st = S_START;
			} else if (k == C_BACKSLASH) {
				st = S_ESCAPE;
			} else if (i == len) {
				t->count[K_ERROR]++;	/* unterminated */
			} else {
				t->string_bytes++;
			}
			break;
		case S_ESCAPE:
			t->string_bytes++;
			st = S_STRING;
			break;
		case S_COMMENT:
			if (k == C_NEWLINE) {
				t->count[K_COMMENT]++;
				st = S_START;
				goto again;
			}
			break;
		}
	}
}

uint32_t bench_scan(uint32_t seed)
{
	uint32_t rng = seed ^ 0x5343414eu;
	struct tally t;
	for (int i = 0; i < NKINDS; i++)
		t.count[i] = 0;
	t.numbers = 0;
	t.names = 0x811c9dc5u;
	t.string_bytes = 0;

	int len = generate(&rng);
	scan(text, len, &t);

	uint32_t h = mix32(0x5343414eu, (uint32_t)len);
	for (int i = 0; i < NKINDS; i++)
		h = mix32(h, t.count[i]);
	return mix32(mix32(mix32(h, t.numbers), t.names), t.string_bytes);
}
