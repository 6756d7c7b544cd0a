// ncursesw for Swift: wide-character API on, and the macros Swift cannot import wrapped in
// static inline functions.
#ifndef ERRSCOPE_NCURSES_SHIM_H
#define ERRSCOPE_NCURSES_SHIM_H
#define _XOPEN_SOURCE_EXTENDED 1
#define NCURSES_WIDECHAR 1
#include <locale.h>
#include <wchar.h>
#include <ncurses.h>
#include <signal.h>

static inline attr_t es_a_bold(void) { return A_BOLD; }
static inline attr_t es_a_underline(void) { return A_UNDERLINE; }
static inline attr_t es_a_dim(void) { return A_DIM; }
static inline attr_t es_a_reverse(void) { return A_REVERSE; }
static inline attr_t es_a_normal(void) { return A_NORMAL; }
static inline int es_getmaxy(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)x; return y; }
static inline int es_getmaxx(WINDOW *w) { int y, x; getmaxyx(w, y, x); (void)y; return x; }
static inline int es_key_resize(void) { return KEY_RESIZE; }
static inline int es_key_mouse(void) { return KEY_MOUSE; }
static inline int es_key_btab(void) { return KEY_BTAB; }
static inline int es_key_f(int n) { return KEY_F(n); }
static inline mmask_t es_mouse_mask(void) { return BUTTON1_PRESSED | BUTTON4_PRESSED | BUTTON5_PRESSED | REPORT_MOUSE_POSITION; }
static inline int es_button1(mmask_t m) { return (m & BUTTON1_PRESSED) != 0; }
static inline int es_button4(mmask_t m) { return (m & BUTTON4_PRESSED) != 0; }
static inline int es_button5(mmask_t m) { return (m & BUTTON5_PRESSED) != 0; }
/* One styled wide character at (y, x). */
static inline int es_put(WINDOW *w, int y, int x, const wchar_t *text, attr_t attrs, short pair) {
    cchar_t c;
    if (setcchar(&c, text, attrs, pair, NULL) != OK) return ERR;
    return mvwadd_wch(w, y, x, &c);
}
static inline SCREEN *es_newterm(void) { return newterm(NULL, stdout, stdin); }
static inline WINDOW *es_stdscr(void) { return stdscr; }
static inline int es_colors(void) { return COLORS; }
static inline int es_color_pairs(void) { return COLOR_PAIRS; }
#endif
