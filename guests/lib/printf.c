/*
 * printf family: one formatter (format()) writing into either a buffer (snprintf) or the
 * console (printf). Integers up to 32 bits are converted with 32-bit division; only
 * %ll values above 32 bits use libgcc's 64-bit division.
 */
#include <rt.h>

/* Where formatted characters go. len counts every character produced, including those
 * that did not fit, which is what snprintf must return. */
struct out {
	char  *buf;        /* NULL: the console */
	size_t size;
	size_t len;
};

enum { F_LEFT = 1, F_ZERO = 2, F_PLUS = 4, F_SPACE = 8 };

struct spec {
	int flags;
	int width;
	int prec;          /* -1: none given */
};

int putchar(int c)
{
	if (c == '\n')
		rt_console_putc('\r');
	rt_console_putc(c & 0xff);
	return c & 0xff;
}

static void emit(struct out *o, char c)
{
	if (o->buf == NULL)
		putchar(c);
	else if (o->len + 1 < o->size)   /* keep room for the terminating NUL */
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		emit(o, c);
}

/* Emits a string of n characters, padded to the width. */
static void put_str(struct out *o, const char *s, int n, const struct spec *sp)
{
	int fill = sp->width - n;
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	while (n-- > 0)
		emit(o, *s++);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

/* Emits an integer: [spaces][sign or prefix][zeros][digits][spaces]. */
static void put_num(struct out *o, uint64_t v, char sign, const char *prefix,
		    unsigned base, int upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];                    /* 2^64 in octal has 22 digits */
	int n = 0;

	if (v >> 32) {
		while (v) {
			tmp[n++] = digits[v % base];
			v /= base;
		}
	} else {
		for (uint32_t w = (uint32_t)v; w; w /= base)
			tmp[n++] = digits[w % base];
	}
	if (n == 0 && sp->prec != 0)     /* C: precision 0 prints nothing for the value 0 */
		tmp[n++] = '0';

	int zeros = sp->prec > n ? sp->prec - n : 0;
	int plen = (sign != 0) + (int)strlen(prefix);
	int fill = sp->width - (plen + zeros + n);
	/* The 0 flag pads with zeros after the sign, but not when a precision is given. */
	if ((sp->flags & (F_ZERO | F_LEFT)) == F_ZERO && sp->prec < 0 && fill > 0) {
		zeros += fill;
		fill = 0;
	}
	if (!(sp->flags & F_LEFT))
		pad(o, ' ', fill);
	if (sign)
		emit(o, sign);
	while (*prefix)
		emit(o, *prefix++);
	pad(o, '0', zeros);
	while (n > 0)
		emit(o, tmp[--n]);
	if (sp->flags & F_LEFT)
		pad(o, ' ', fill);
}

static int format(struct out *o, const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			emit(o, *fmt);
			continue;
		}
		const char *start = fmt++;
		struct spec sp = { 0, 0, -1 };

		for (;; fmt++) {
			if (*fmt == '-') sp.flags |= F_LEFT;
			else if (*fmt == '0') sp.flags |= F_ZERO;
			else if (*fmt == '+') sp.flags |= F_PLUS;
			else if (*fmt == ' ') sp.flags |= F_SPACE;
			else break;
		}
		if (*fmt == '*') {
			sp.width = va_arg(ap, int);
			if (sp.width < 0) {      /* C: a negative width means '-' */
				sp.flags |= F_LEFT;
				sp.width = -sp.width;
			}
			fmt++;
		} else {
			while (*fmt >= '0' && *fmt <= '9')
				sp.width = sp.width * 10 + (*fmt++ - '0');
		}
		if (*fmt == '.') {
			fmt++;
			sp.prec = 0;
			if (*fmt == '*') {
				sp.prec = va_arg(ap, int);
				if (sp.prec < 0)
					sp.prec = -1;   /* C: a negative precision is none */
				fmt++;
			} else {
				while (*fmt >= '0' && *fmt <= '9')
					sp.prec = sp.prec * 10 + (*fmt++ - '0');
			}
		}

		/* Length: 0 = int, 1 = long, 2 = long long, -1 = short, -2 = char.
		 * On ilp32, long, size_t and ptrdiff_t are all 32 bits; intmax_t is 64. */
		int len = 0;
		switch (*fmt) {
		case 'h': len = -1; if (fmt[1] == 'h') { len = -2; fmt++; } fmt++; break;
		case 'l': len = 1;  if (fmt[1] == 'l') { len = 2; fmt++; } fmt++; break;
		case 'j': len = 2; fmt++; break;
		case 'z': case 't': len = 1; fmt++; break;
		}

		switch (*fmt) {
		case 'd': case 'i': {
			int64_t v = len == 2 ? va_arg(ap, long long)
				  : len == 1 ? va_arg(ap, long)
				  : va_arg(ap, int);
			if (len == -1) v = (short)v;
			if (len == -2) v = (signed char)v;
			char sign = v < 0 ? '-' : (sp.flags & F_PLUS) ? '+' : (sp.flags & F_SPACE) ? ' ' : 0;
			/* Negate as unsigned: -INT64_MIN overflows in signed arithmetic. */
			uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
			put_num(o, u, sign, "", 10, 0, &sp);
			break;
		}
		case 'u': case 'x': case 'X': case 'o': {
			uint64_t v = len == 2 ? va_arg(ap, unsigned long long)
				   : len == 1 ? va_arg(ap, unsigned long)
				   : va_arg(ap, unsigned int);
			if (len == -1) v = (unsigned short)v;
			if (len == -2) v = (unsigned char)v;
			unsigned base = *fmt == 'u' ? 10 : *fmt == 'o' ? 8 : 16;
			put_num(o, v, 0, "", base, *fmt == 'X', &sp);
			break;
		}
		case 'p': {
			/* Always 0x and the full 8 digits, so addresses line up. */
			struct spec p = { sp.flags & F_LEFT, sp.width, 8 };
			put_num(o, (uintptr_t)va_arg(ap, void *), 0, "0x", 16, 0, &p);
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			put_str(o, &c, 1, &sp);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (s == NULL)
				s = "(null)";
			int n = (int)(sp.prec >= 0 ? strnlen(s, (size_t)sp.prec) : strlen(s));
			put_str(o, s, n, &sp);
			break;
		}
		case '%':
			emit(o, '%');
			break;
		default:
			/* Unknown conversion (or the string ended): print it as written. */
			while (start < fmt)
				emit(o, *start++);
			if (*fmt == '\0')
				return (int)o->len;
			emit(o, *fmt);
			break;
		}
	}
	return (int)o->len;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	/* A NULL buffer would mean "console" to emit(); with size 0 nothing is stored
	 * anyway, so point it at a dummy. */
	char dummy;
	struct out o = { size ? buf : &dummy, size, 0 };
	int n = format(&o, fmt, ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return n;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct out o = { NULL, 0, 0 };
	return format(&o, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	while (*s)
		putchar(*s++);
	putchar('\n');
	return 0;
}

int getchar(void)
{
	return rt_console_getc();
}
