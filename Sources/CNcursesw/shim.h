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
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>
/* ncurses 6.4 flushes its output after every cursor move inside an update until the screen has
   been through one endwin()/doupdate() cycle: `_nc_mvcur` flushes while `SCREEN._endwin` is
   `ewInitial`, and only the resume in doupdate() sets `ewRunning` (lib_mvcur.c, tty_update.c).
   This is the endwin() half, with the terminal's fd pointed at /dev/null for the call: what
   endwin() would send (leave the alternate screen, keypad and mouse off) never reaches the
   terminal, so the user's shell does not flash up, and the tty stays in program mode (its
   tcsetattr fails on /dev/null; the ENOTTY only sets ncurses' `_notty`, read by cooked-mode getch,
   which errscope never uses). The resume re-sends every mode it sets, and the next
   refresh is that resume. The asynchronous signals errscope handles are blocked meanwhile, so a
   handler that restores the terminal always writes to the real one (faults stay unblocked: the
   crash handler must still run). If /dev/null cannot be opened, endwin() runs as is. */
static inline void es_end_initial_mode(void) {
    sigset_t async, old;
    sigemptyset(&async);
    int blocked[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGWINCH, SIGCONT };
    for (unsigned k = 0; k < sizeof blocked / sizeof blocked[0]; k++) sigaddset(&async, blocked[k]);
    pthread_sigmask(SIG_BLOCK, &async, &old);
    int out = fileno(stdout);
    int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    int saved = null >= 0 ? fcntl(out, F_DUPFD_CLOEXEC, 3) : -1;
    if (saved >= 0 && dup2(null, out) >= 0) {
        endwin();
        /* Linux's dup2 can fail with EBUSY while another thread opens a file. */
        while (dup2(saved, out) < 0 && (errno == EINTR || errno == EBUSY)) {}
    } else {
        endwin();
    }
    if (saved >= 0) close(saved);
    if (null >= 0) close(null);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}
static inline WINDOW *es_stdscr(void) { return stdscr; }
static inline int es_colors(void) { return COLORS; }
static inline int es_color_pairs(void) { return COLOR_PAIRS; }
#endif
