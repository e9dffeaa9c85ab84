// The proxy's byte relay (src/proxy/native-relay.ts loads it): a thread with its own epoll that
// moves bytes between the two sockets of each session, client <-> backend, without calling into
// JavaScript per chunk. The proxy (TypeScript) accepts, routes and connects; it then hands both
// sockets over here and is told, in batches, which sessions ended. Bytes are never parsed.
//
// Per chunk: one recv into the thread's scratch buffer and one send to the other side. Only what
// the other side cannot take at once is kept (at most one read, per direction) and that side stops
// being read until it drained: a client that stops reading holds its backend back, and memory stays
// bounded (no buffer at all for an idle session).
#define NAPI_VERSION 8
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <node_api.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

// one read per wakeup takes at most this much; a send the peer cannot take whole keeps only the
// rest (at most this much per direction) and stops reading that side until it drained
#define SCRATCH_SIZE (64 * 1024)
#define MAX_EVENTS 256
// a read of a full scratch buffer is followed by at most this many more before other sessions
#define READS_PER_WAKEUP 4
// a session id is generation * 2^24 + slot, kept below 2^53 so that JavaScript numbers hold it
#define SLOT_BITS 24
#define SLOT_MASK ((1u << SLOT_BITS) - 1)
#define GEN_MASK ((1u << 29) - 1)

typedef struct session session;

// test-only: QUORUM_RELAY_FAULT=session:N, queue:N or epoll:N (read when a relay is made) fails
// that relay's Nth allocation of a session, Nth hand-over queueing, or Nth epoll_wait, so that the
// tests can see what running out of memory, or a broken epoll, does
typedef enum { FAULT_SESSION, FAULT_QUEUE, FAULT_EPOLL, FAULT_KINDS } fault_kind;

typedef struct {
  session *s;
  int side;
} endpoint;

// side 0 is the client, side 1 the backend; "direction d" moves bytes read from fd[d] to fd[1 - d]
struct session {
  uint32_t slot;
  uint32_t gen;
  int fd[2];
  endpoint ep[2];
  uint32_t interest[2];
  char *pend[2];
  size_t plen[2];
  size_t poff[2];
  bool eof[2];
  bool dead;
  int64_t linger_at;
  session *prev, *next;
  session *next_dead;
  session *next_end;
};

// a session handed over by JavaScript, not yet taken up by the relay thread
typedef struct {
  uint32_t slot;
  uint32_t gen;
  int fd[2];
} cmd;

typedef struct {
  int epfd;
  int evfd;
  int64_t linger_ms;
  pthread_t thread;
  bool started;
  bool stopped;
  pthread_mutex_t mu;
  // guarded by mu: sessions to take up, sessions asked to end (a flag per slot, so that asking
  // never allocates and is never lost), the stop, the slot table, ended ids for JavaScript. Every
  // allocation happens in add(), which reports its failure to JavaScript; the relay thread and
  // end()/stop() never allocate: their capacity is reserved there.
  cmd *cmds;
  size_t ncmds, capcmds;
  session **slots;
  uint32_t *gens;
  bool *end_asked;
  size_t nslots, capslots;
  bool ends_asked;
  bool stop_asked;
  uint32_t *free_slots;
  size_t nfree, capfree;
  double *ended;
  size_t nended, capended;
  // what call_js hands to JavaScript (swapped with ended, so that it needs no copy)
  double *told;
  size_t captold;
  bool notify_pending;
  // set once when the relay thread ended on an error; JavaScript is told with the ended ids
  char failure[160];
  bool failed;
  bool failure_told;
  // relay thread only
  cmd *batch;
  size_t capbatch;
  session *all;
  session *dead;
  size_t lingering;
  char *scratch;
  long fault_at[FAULT_KINDS];
  long faults_seen[FAULT_KINDS];
  // read anywhere
  _Atomic uint64_t bytes[2];
  napi_threadsafe_function tsfn;
  napi_ref wrapper;
} relay;

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool grow(void **items, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return true;
  size_t next = *cap == 0 ? 16 : *cap * 2;
  while (next < need) next *= 2;
  void *p = realloc(*items, next * size);
  if (p == NULL) return false;
  *items = p;
  *cap = next;
  return true;
}

// true when the test-only knob says this call of `kind` is to fail
static bool injected_failure(relay *r, fault_kind kind) {
  return r->fault_at[kind] > 0 && ++r->faults_seen[kind] == r->fault_at[kind];
}

static double session_id(uint32_t slot, uint32_t gen) {
  return (double)(gen & GEN_MASK) * (double)(1u << SLOT_BITS) + (double)slot;
}

static void wake(relay *r) {
  uint64_t one = 1;
  ssize_t ignored = write(r->evfd, &one, sizeof one);
  (void)ignored;
}

// ---- the relay thread ----

static void set_interest(relay *r, session *s, int side, uint32_t want) {
  if (s->interest[side] == want) return;
  struct epoll_event ev = {.events = want, .data.ptr = &s->ep[side]};
  epoll_ctl(r->epfd, EPOLL_CTL_MOD, s->fd[side], &ev);
  s->interest[side] = want;
}

static void update_interest(relay *r, session *s) {
  for (int x = 0; x < 2; x++) {
    uint32_t want = 0;
    if (!s->eof[x] && s->plen[x] == 0) want |= EPOLLIN;
    if (s->plen[1 - x] > 0) want |= EPOLLOUT;
    set_interest(r, s, x, want);
  }
}

// with mu held: the slot's session (of generation gen) ended; add() reserved room in both lists
static void free_slot(relay *r, uint32_t slot, uint32_t gen) {
  r->slots[slot] = NULL;
  r->gens[slot] = (r->gens[slot] + 1) & GEN_MASK;
  r->end_asked[slot] = false;
  r->free_slots[r->nfree++] = slot;
  r->ended[r->nended++] = session_id(slot, gen);
}

static void kill_session(relay *r, session *s) {
  if (s->dead) return;
  s->dead = true;
  for (int x = 0; x < 2; x++) {
    // explicit: the socket may still be open elsewhere for a moment, which would keep it in the set
    epoll_ctl(r->epfd, EPOLL_CTL_DEL, s->fd[x], NULL);
    close(s->fd[x]);
    free(s->pend[x]);
    s->pend[x] = NULL;
  }
  if (s->linger_at != 0) r->lingering--;
  if (s->prev) s->prev->next = s->next; else r->all = s->next;
  if (s->next) s->next->prev = s->prev;
  s->next_dead = r->dead;
  r->dead = s;
  pthread_mutex_lock(&r->mu);
  free_slot(r, s->slot, s->gen);
  pthread_mutex_unlock(&r->mu);
}

static void saw_eof(relay *r, session *s, int d) {
  s->eof[d] = true;
  // a client that is done sending (a half-close) still gets the answers to what it sent, however
  // long they take; once the backend is gone, the client has linger_ms to read what is left
  if (d == 1 && s->linger_at == 0) {
    s->linger_at = now_ms() + r->linger_ms;
    r->lingering++;
  }
  // the other side gets what is queued for it first, then its end
  if (s->plen[d] == 0) shutdown(s->fd[1 - d], SHUT_WR);
  if (s->eof[1 - d] && s->plen[0] == 0 && s->plen[1] == 0) kill_session(r, s);
}

// direction d: read from fd[d], write to fd[1 - d]
static void pump(relay *r, session *s, int d) {
  for (int i = 0; i < READS_PER_WAKEUP; i++) {
    ssize_t n = recv(s->fd[d], r->scratch, SCRATCH_SIZE, 0);
    if (n == 0) {
      saw_eof(r, s, d);
      return;
    }
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      kill_session(r, s);
      return;
    }
    atomic_fetch_add_explicit(&r->bytes[d], (uint64_t)n, memory_order_relaxed);
    ssize_t w = send(s->fd[1 - d], r->scratch, (size_t)n, MSG_NOSIGNAL);
    if (w < 0) {
      if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
        kill_session(r, s);
        return;
      }
      w = 0;
    }
    if (w < n) {
      size_t rest = (size_t)(n - w);
      s->pend[d] = malloc(rest);
      if (s->pend[d] == NULL) {
        kill_session(r, s);
        return;
      }
      memcpy(s->pend[d], r->scratch + w, rest);
      s->plen[d] = rest;
      s->poff[d] = 0;
      return;
    }
    if (n < SCRATCH_SIZE) return;
  }
}

// writes what direction d has queued to fd[1 - d]
static void flush(relay *r, session *s, int d) {
  ssize_t w = send(s->fd[1 - d], s->pend[d] + s->poff[d], s->plen[d] - s->poff[d], MSG_NOSIGNAL);
  if (w < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
    kill_session(r, s);
    return;
  }
  s->poff[d] += (size_t)w;
  if (s->poff[d] < s->plen[d]) return;
  free(s->pend[d]);
  s->pend[d] = NULL;
  s->plen[d] = s->poff[d] = 0;
  if (s->eof[d]) {
    shutdown(s->fd[1 - d], SHUT_WR);
    if (s->eof[1 - d] && s->plen[1 - d] == 0) kill_session(r, s);
  }
}

static void on_event(relay *r, endpoint *ep, uint32_t events) {
  session *s = ep->s;
  int x = ep->side;
  if (s->dead) return;
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && s->plen[1 - x] > 0) flush(r, s, 1 - x);
  if (s->dead) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !s->eof[x] && s->plen[x] == 0) pump(r, s, x);
  if (s->dead) return;
  update_interest(r, s);
  // a hang-up or error on a socket we neither read nor write: nothing more can pass
  if ((events & (EPOLLERR | EPOLLHUP)) && s->interest[x] == 0) kill_session(r, s);
}

static void add_session(relay *r, const cmd *c) {
  session *s = injected_failure(r, FAULT_SESSION) ? NULL : calloc(1, sizeof *s);
  if (s == NULL) {
    // this session cannot be carried: it ends here, and JavaScript is told like for any other
    close(c->fd[0]);
    close(c->fd[1]);
    pthread_mutex_lock(&r->mu);
    free_slot(r, c->slot, c->gen);
    pthread_mutex_unlock(&r->mu);
    return;
  }
  s->slot = c->slot;
  s->gen = c->gen;
  for (int x = 0; x < 2; x++) {
    s->fd[x] = c->fd[x];
    s->ep[x].s = s;
    s->ep[x].side = x;
    s->interest[x] = EPOLLIN;
  }
  s->next = r->all;
  if (r->all) r->all->prev = s;
  r->all = s;
  pthread_mutex_lock(&r->mu);
  r->slots[s->slot] = s;
  // end() may have come before the relay thread took the session up
  bool end_now = r->end_asked[s->slot];
  pthread_mutex_unlock(&r->mu);
  for (int x = 0; x < 2; x++) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->ep[x]};
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, s->fd[x], &ev) != 0) {
      kill_session(r, s);
      return;
    }
  }
  if (end_now) kill_session(r, s);
}

// takes up the sessions JavaScript handed over and ends those it asked to end; true on stop
static bool run_commands(relay *r) {
  uint64_t count;
  ssize_t ignored = read(r->evfd, &count, sizeof count);
  (void)ignored;
  pthread_mutex_lock(&r->mu);
  // the two queues change places: nothing is copied, so nothing can fail here
  cmd *batch = r->cmds;
  size_t n = r->ncmds, cap = r->capcmds;
  r->cmds = r->batch;
  r->capcmds = r->capbatch;
  r->ncmds = 0;
  r->batch = batch;
  r->capbatch = cap;
  bool stop = r->stop_asked;
  bool ends = r->ends_asked;
  r->ends_asked = false;
  pthread_mutex_unlock(&r->mu);
  for (size_t i = 0; i < n; i++) add_session(r, &batch[i]);
  if (!ends) return stop;
  session *doomed = NULL;
  pthread_mutex_lock(&r->mu);
  for (session *s = r->all; s != NULL; s = s->next) {
    if (!r->end_asked[s->slot]) continue;
    s->next_end = doomed;
    doomed = s;
  }
  pthread_mutex_unlock(&r->mu);
  for (session *s = doomed; s != NULL; s = s->next_end) kill_session(r, s);
  return stop;
}

static void expire_lingering(relay *r) {
  int64_t now = now_ms();
  for (session *s = r->all, *next; s != NULL; s = next) {
    next = s->next;
    if (s->linger_at != 0 && s->linger_at <= now) kill_session(r, s);
  }
}

static void notify(relay *r) {
  pthread_mutex_lock(&r->mu);
  bool call = r->nended > 0 && !r->notify_pending;
  if (call) r->notify_pending = true;
  pthread_mutex_unlock(&r->mu);
  if (call) napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
}

static void notify_always(relay *r) {
  pthread_mutex_lock(&r->mu);
  r->notify_pending = true;
  pthread_mutex_unlock(&r->mu);
  napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
}

static void *relay_main(void *arg) {
  relay *r = arg;
  struct epoll_event events[MAX_EVENTS];
  bool stop = false;
  while (!stop) {
    int timeout = r->lingering > 0 ? 1000 : -1;
    int n = injected_failure(r, FAULT_EPOLL) ? (errno = EBADF, -1)
                                             : epoll_wait(r->epfd, events, MAX_EVENTS, timeout);
    if (n < 0 && errno != EINTR) {
      // nothing more can be relayed on this thread: its sessions end, and JavaScript is told why
      int err = errno;
      pthread_mutex_lock(&r->mu);
      snprintf(r->failure, sizeof r->failure, "the relay thread stopped: epoll_wait: %s",
               strerror(err));
      r->failed = true;
      pthread_mutex_unlock(&r->mu);
      break;
    }
    for (int i = 0; i < n; i++) {
      if (events[i].data.ptr == NULL) {
        stop = run_commands(r) || stop;
      } else {
        on_event(r, events[i].data.ptr, events[i].events);
      }
    }
    if (r->lingering > 0) expire_lingering(r);
    while (r->dead != NULL) {
      session *s = r->dead;
      r->dead = s->next_dead;
      free(s);
    }
    notify(r);
  }
  while (r->all != NULL) kill_session(r, r->all);
  while (r->dead != NULL) {
    session *s = r->dead;
    r->dead = s->next_dead;
    free(s);
  }
  // stopped by JavaScript, which ends its sessions itself; on a failure it must hear of it, also
  // of the sessions handed over that this thread will never take up (add() refuses new ones)
  if (!stop) {
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->ncmds; i++) {
      close(r->cmds[i].fd[0]);
      close(r->cmds[i].fd[1]);
      free_slot(r, r->cmds[i].slot, r->cmds[i].gen);
    }
    r->ncmds = 0;
    pthread_mutex_unlock(&r->mu);
    notify_always(r);
  }
  return NULL;
}

// ---- the JavaScript side (main thread) ----

static void throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
}

static void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  relay *r = context;
  if (env == NULL) return;
  pthread_mutex_lock(&r->mu);
  // the two lists change places: add() reserved room in both, so nothing is copied or lost
  double *ids = r->ended;
  size_t n = r->nended, cap = r->capended;
  r->ended = r->told;
  r->capended = r->captold;
  r->nended = 0;
  r->told = ids;
  r->captold = cap;
  r->notify_pending = false;
  const char *failure = NULL;
  if (r->failed && !r->failure_told) {
    r->failure_told = true;
    failure = r->failure;
  }
  pthread_mutex_unlock(&r->mu);
  napi_value argv[2], undefined;
  if (napi_create_array_with_length(env, n, &argv[0]) != napi_ok ||
      napi_get_undefined(env, &undefined) != napi_ok)
    return;
  for (size_t i = 0; i < n; i++) {
    napi_value v;
    if (napi_create_double(env, ids[i], &v) != napi_ok ||
        napi_set_element(env, argv[0], (uint32_t)i, v) != napi_ok)
      return;
  }
  size_t argc = 1;
  if (failure != NULL && napi_create_string_utf8(env, failure, NAPI_AUTO_LENGTH, &argv[1]) == napi_ok)
    argc = 2;
  napi_call_function(env, undefined, js_cb, argc, argv, NULL);
}

static void stop_relay(relay *r) {
  if (!r->started || r->stopped) return;
  r->stopped = true;
  pthread_mutex_lock(&r->mu);
  r->stop_asked = true;
  pthread_mutex_unlock(&r->mu);
  wake(r);
  pthread_join(r->thread, NULL);
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
}

static void cleanup_hook(void *arg) { stop_relay(arg); }

// frees what relay_new made; the thread is not running
static void free_relay(relay *r) {
  for (size_t i = 0; i < r->ncmds; i++) {
    close(r->cmds[i].fd[0]);
    close(r->cmds[i].fd[1]);
  }
  if (r->epfd >= 0) close(r->epfd);
  if (r->evfd >= 0) close(r->evfd);
  pthread_mutex_destroy(&r->mu);
  free(r->cmds);
  free(r->batch);
  free(r->slots);
  free(r->gens);
  free(r->end_asked);
  free(r->free_slots);
  free(r->ended);
  free(r->told);
  free(r->scratch);
  free(r);
}

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  relay *r = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, r);
  stop_relay(r);
  free_relay(r);
}

static relay *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  relay *r = NULL;
  if (napi_get_cb_info(env, info, argc, argv, &self, NULL) != napi_ok) return NULL;
  if (napi_unwrap(env, self, (void **)&r) != napi_ok) return NULL;
  return r;
}

// the test-only knob, e.g. QUORUM_RELAY_FAULT=session:2
static void read_fault_knob(relay *r) {
  const char *knob = getenv("QUORUM_RELAY_FAULT");
  if (knob == NULL) return;
  static const char *const names[FAULT_KINDS] = {"session", "queue", "epoll"};
  for (int k = 0; k < FAULT_KINDS; k++) {
    size_t len = strlen(names[k]);
    if (strncmp(knob, names[k], len) == 0 && knob[len] == ':')
      r->fault_at[k] = strtol(knob + len + 1, NULL, 10);
  }
}

// new Relay(onEnded: (ids: number[], failure?: string) => void, lingerMs: number)
static napi_value relay_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  napi_valuetype t;
  if (napi_get_cb_info(env, info, &argc, argv, &self, NULL) != napi_ok || argc < 2 ||
      napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function) {
    napi_throw_type_error(env, NULL, "new Relay(onEnded, lingerMs)");
    return NULL;
  }
  relay *r = calloc(1, sizeof *r);
  if (r == NULL) {
    napi_throw_error(env, NULL, "out of memory");
    return NULL;
  }
  double linger = 5000;
  napi_get_value_double(env, argv[1], &linger);
  r->linger_ms = (int64_t)linger;
  read_fault_knob(r);
  pthread_mutex_init(&r->mu, NULL);
  r->scratch = malloc(SCRATCH_SIZE);
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (r->scratch == NULL || r->epfd < 0 || r->evfd < 0 ||
      epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev) != 0) {
    throw_errno(env, "the relay cannot start");
    free_relay(r);
    return NULL;
  }
  napi_value name;
  if (napi_create_string_utf8(env, "quorum-relay", NAPI_AUTO_LENGTH, &name) != napi_ok ||
      napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, r, call_js,
                                      &r->tsfn) != napi_ok) {
    napi_throw_error(env, NULL, "the relay cannot start: no thread-safe function to report to");
    free_relay(r);
    return NULL;
  }
  // the relay never keeps the process alive on its own
  if (napi_unref_threadsafe_function(env, r->tsfn) != napi_ok ||
      napi_wrap(env, self, r, finalize, NULL, NULL) != napi_ok) {
    napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
    napi_throw_error(env, NULL, "the relay cannot start: it cannot be tied to its object");
    free_relay(r);
    return NULL;
  }
  // from here on finalize frees the relay, whatever happens next
  if (napi_add_env_cleanup_hook(env, cleanup_hook, r) != napi_ok) {
    napi_throw_error(env, NULL, "the relay cannot start: no clean-up at exit");
    return NULL;
  }
  // signals stay with the main thread
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  int err = pthread_create(&r->thread, NULL, relay_main, r);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  if (err != 0) {
    errno = err;
    throw_errno(env, "the relay cannot start its thread");
    return NULL;
  }
  r->started = true;
  return self;
}

// with mu held: a slot for one more session, with room reserved for everything the session may
// need later (its end asked, its slot freed, its id told); false when memory ran out
static bool reserve_slot(relay *r, uint32_t *slot) {
  if (!grow((void **)&r->cmds, &r->capcmds, r->ncmds + 1, sizeof(cmd))) return false;
  if (r->nfree > 0) {
    *slot = r->free_slots[--r->nfree];
  } else {
    if (r->nslots >= SLOT_MASK) return false;
    size_t need = r->nslots + 1;
    if (!grow((void **)&r->slots, &r->capslots, need, sizeof(session *))) return false;
    size_t cap = r->capslots;
    void *g = realloc(r->gens, cap * sizeof(uint32_t));
    if (g == NULL) return false;
    r->gens = g;
    void *e = realloc(r->end_asked, cap * sizeof(bool));
    if (e == NULL) return false;
    r->end_asked = e;
    size_t capfree = r->capfree;
    if (!grow((void **)&r->free_slots, &capfree, need, sizeof(uint32_t))) return false;
    r->capfree = capfree;
    *slot = (uint32_t)r->nslots;
    r->slots[*slot] = NULL;
    r->gens[*slot] = 0;
    r->end_asked[*slot] = false;
    r->nslots++;
  }
  // every session in use may end before JavaScript hears of the ones that already did
  size_t in_use = r->nslots - r->nfree;
  bool ok = grow((void **)&r->ended, &r->capended, r->nended + in_use, sizeof(double)) &&
            grow((void **)&r->told, &r->captold, r->nended + in_use, sizeof(double));
  if (!ok) r->free_slots[r->nfree++] = *slot;
  return ok;
}

// add(clientFd, backendFd): number — both sockets are duplicated; the caller closes its own
static napi_value relay_add(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  relay *r = unwrap(env, info, &argc, argv);
  if (r == NULL || r->stopped) {
    napi_throw_error(env, NULL, "the relay is stopped");
    return NULL;
  }
  int32_t fd[2] = {-1, -1};
  if (argc < 2 || napi_get_value_int32(env, argv[0], &fd[0]) != napi_ok ||
      napi_get_value_int32(env, argv[1], &fd[1]) != napi_ok || fd[0] < 0 || fd[1] < 0) {
    napi_throw_type_error(env, NULL, "add(clientFd, backendFd) takes two file descriptors");
    return NULL;
  }
  int own[2];
  // close-on-exec: processes the supervisor starts must never inherit proxied connections
  own[0] = fcntl(fd[0], F_DUPFD_CLOEXEC, 3);
  own[1] = own[0] < 0 ? -1 : fcntl(fd[1], F_DUPFD_CLOEXEC, 3);
  if (own[1] < 0) {
    if (own[0] >= 0) close(own[0]);
    throw_errno(env, "the relay cannot take the sockets");
    return NULL;
  }
  pthread_mutex_lock(&r->mu);
  uint32_t slot = 0;
  const char *refused = r->failed ? r->failure : NULL;
  bool ok = refused == NULL && !injected_failure(r, FAULT_QUEUE) && reserve_slot(r, &slot);
  uint32_t gen = ok ? r->gens[slot] : 0;
  if (ok) r->cmds[r->ncmds++] = (cmd){.slot = slot, .gen = gen, .fd = {own[0], own[1]}};
  char why[sizeof r->failure];
  snprintf(why, sizeof why, "%s", refused != NULL ? refused : "the relay is out of memory");
  pthread_mutex_unlock(&r->mu);
  if (!ok) {
    close(own[0]);
    close(own[1]);
    napi_throw_error(env, NULL, why);
    return NULL;
  }
  wake(r);
  napi_value id;
  if (napi_create_double(env, session_id(slot, gen), &id) != napi_ok) return NULL;
  return id;
}

// end(id): closes both sockets of the session at once (no-op when it already ended). Never
// allocates: the slot's flag says it, so a master switch cannot lose an end for want of memory
static napi_value relay_end(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  relay *r = unwrap(env, info, &argc, argv);
  double id;
  if (r == NULL || r->stopped || argc < 1 || napi_get_value_double(env, argv[0], &id) != napi_ok)
    return NULL;
  uint64_t v = (uint64_t)id;
  uint32_t slot = (uint32_t)(v & SLOT_MASK), gen = (uint32_t)(v >> SLOT_BITS);
  pthread_mutex_lock(&r->mu);
  bool current = slot < r->nslots && r->gens[slot] == gen;
  if (current) {
    r->end_asked[slot] = true;
    r->ends_asked = true;
  }
  pthread_mutex_unlock(&r->mu);
  if (current) wake(r);
  return NULL;
}

// stats(): [bytes from clients, bytes from backends]
static napi_value relay_stats(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  relay *r = unwrap(env, info, &argc, NULL);
  napi_value arr, v;
  napi_create_array_with_length(env, 2, &arr);
  double values[2] = {0, 0};
  if (r != NULL) {
    values[0] = (double)atomic_load(&r->bytes[0]);
    values[1] = (double)atomic_load(&r->bytes[1]);
  }
  for (uint32_t i = 0; i < 2; i++) {
    napi_create_double(env, values[i], &v);
    napi_set_element(env, arr, i, v);
  }
  return arr;
}

// stop(): ends every session and the thread; the relay cannot be used again
static napi_value relay_stop(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  relay *r = unwrap(env, info, &argc, NULL);
  if (r != NULL) stop_relay(r);
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor methods[] = {
      {"add", NULL, relay_add, NULL, NULL, NULL, napi_default, NULL},
      {"end", NULL, relay_end, NULL, NULL, NULL, napi_default, NULL},
      {"stats", NULL, relay_stats, NULL, NULL, NULL, napi_default, NULL},
      {"stop", NULL, relay_stop, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  napi_define_class(env, "Relay", NAPI_AUTO_LENGTH, relay_new, NULL, 4, methods, &cls);
  napi_set_named_property(env, exports, "Relay", cls);
  return exports;
}
