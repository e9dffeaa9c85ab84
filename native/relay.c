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
};

typedef enum { CMD_ADD, CMD_END, CMD_STOP } cmd_kind;

typedef struct {
  cmd_kind kind;
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
  // guarded by mu: commands for the relay thread, the slot table, ended ids for JavaScript
  cmd *cmds;
  size_t ncmds, capcmds;
  session **slots;
  uint32_t *gens;
  size_t nslots, capslots;
  uint32_t *free_slots;
  size_t nfree, capfree;
  double *ended;
  size_t nended, capended;
  bool notify_pending;
  // relay thread only
  session *all;
  session *dead;
  size_t lingering;
  char *scratch;
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
  r->slots[s->slot] = NULL;
  r->gens[s->slot] = (r->gens[s->slot] + 1) & GEN_MASK;
  if (grow((void **)&r->free_slots, &r->capfree, r->nfree + 1, sizeof(uint32_t)))
    r->free_slots[r->nfree++] = s->slot;
  if (grow((void **)&r->ended, &r->capended, r->nended + 1, sizeof(double)))
    r->ended[r->nended++] = session_id(s->slot, s->gen);
  pthread_mutex_unlock(&r->mu);
}

static void saw_eof(relay *r, session *s, int d) {
  s->eof[d] = true;
  if (s->linger_at == 0) {
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
  session *s = calloc(1, sizeof *s);
  if (s == NULL) {
    close(c->fd[0]);
    close(c->fd[1]);
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
  pthread_mutex_unlock(&r->mu);
  for (int x = 0; x < 2; x++) {
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->ep[x]};
    if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, s->fd[x], &ev) != 0) {
      kill_session(r, s);
      return;
    }
  }
}

static bool run_commands(relay *r) {
  uint64_t count;
  ssize_t ignored = read(r->evfd, &count, sizeof count);
  (void)ignored;
  pthread_mutex_lock(&r->mu);
  size_t n = r->ncmds;
  cmd *batch = malloc(n * sizeof(cmd) + 1);
  if (batch != NULL && n > 0) memcpy(batch, r->cmds, n * sizeof(cmd));
  r->ncmds = 0;
  pthread_mutex_unlock(&r->mu);
  bool stop = false;
  for (size_t i = 0; batch != NULL && i < n; i++) {
    const cmd *c = &batch[i];
    if (c->kind == CMD_ADD) {
      add_session(r, c);
    } else if (c->kind == CMD_END) {
      pthread_mutex_lock(&r->mu);
      session *s = c->slot < r->nslots ? r->slots[c->slot] : NULL;
      pthread_mutex_unlock(&r->mu);
      if (s != NULL && s->gen == c->gen) kill_session(r, s);
    } else {
      stop = true;
    }
  }
  free(batch);
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

static void *relay_main(void *arg) {
  relay *r = arg;
  struct epoll_event events[MAX_EVENTS];
  bool stop = false;
  while (!stop) {
    int timeout = r->lingering > 0 ? 1000 : -1;
    int n = epoll_wait(r->epfd, events, MAX_EVENTS, timeout);
    if (n < 0 && errno != EINTR) break;
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
  size_t n = r->nended;
  double *ids = malloc(n * sizeof(double) + 1);
  if (ids != NULL && n > 0) memcpy(ids, r->ended, n * sizeof(double));
  r->nended = 0;
  r->notify_pending = false;
  pthread_mutex_unlock(&r->mu);
  if (ids == NULL) return;
  napi_value arr, undefined;
  napi_create_array_with_length(env, n, &arr);
  for (size_t i = 0; i < n; i++) {
    napi_value v;
    napi_create_double(env, ids[i], &v);
    napi_set_element(env, arr, (uint32_t)i, v);
  }
  free(ids);
  napi_get_undefined(env, &undefined);
  napi_call_function(env, undefined, js_cb, 1, &arr, NULL);
}

static void stop_relay(relay *r) {
  if (!r->started || r->stopped) return;
  r->stopped = true;
  pthread_mutex_lock(&r->mu);
  if (grow((void **)&r->cmds, &r->capcmds, r->ncmds + 1, sizeof(cmd)))
    r->cmds[r->ncmds++] = (cmd){.kind = CMD_STOP};
  pthread_mutex_unlock(&r->mu);
  wake(r);
  pthread_join(r->thread, NULL);
  napi_release_threadsafe_function(r->tsfn, napi_tsfn_abort);
}

static void cleanup_hook(void *arg) { stop_relay(arg); }

static void finalize(napi_env env, void *data, void *hint) {
  (void)hint;
  relay *r = data;
  napi_remove_env_cleanup_hook(env, cleanup_hook, r);
  stop_relay(r);
  for (size_t i = 0; i < r->ncmds; i++) {
    if (r->cmds[i].kind == CMD_ADD) {
      close(r->cmds[i].fd[0]);
      close(r->cmds[i].fd[1]);
    }
  }
  close(r->epfd);
  close(r->evfd);
  pthread_mutex_destroy(&r->mu);
  free(r->cmds);
  free(r->slots);
  free(r->gens);
  free(r->free_slots);
  free(r->ended);
  free(r->scratch);
  free(r);
}

static relay *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
  napi_value self;
  relay *r = NULL;
  napi_get_cb_info(env, info, argc, argv, &self, NULL);
  napi_unwrap(env, self, (void **)&r);
  return r;
}

// new Relay(onEnded: (ids: number[]) => void, lingerMs: number)
static napi_value relay_new(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], self;
  napi_get_cb_info(env, info, &argc, argv, &self, NULL);
  napi_valuetype t;
  if (argc < 2 || napi_typeof(env, argv[0], &t) != napi_ok || t != napi_function) {
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
  pthread_mutex_init(&r->mu, NULL);
  r->scratch = malloc(SCRATCH_SIZE);
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
  if (r->scratch == NULL || r->epfd < 0 || r->evfd < 0 ||
      epoll_ctl(r->epfd, EPOLL_CTL_ADD, r->evfd, &ev) != 0) {
    throw_errno(env, "the relay cannot start");
    if (r->epfd >= 0) close(r->epfd);
    if (r->evfd >= 0) close(r->evfd);
    free(r->scratch);
    free(r);
    return NULL;
  }
  napi_value name;
  napi_create_string_utf8(env, "quorum-relay", NAPI_AUTO_LENGTH, &name);
  napi_create_threadsafe_function(env, argv[0], NULL, name, 0, 1, NULL, NULL, r, call_js, &r->tsfn);
  // the relay never keeps the process alive on its own
  napi_unref_threadsafe_function(env, r->tsfn);
  napi_wrap(env, self, r, finalize, NULL, NULL);
  napi_add_env_cleanup_hook(env, cleanup_hook, r);
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
  uint32_t slot;
  bool ok = grow((void **)&r->cmds, &r->capcmds, r->ncmds + 1, sizeof(cmd));
  if (ok && r->nfree > 0) {
    slot = r->free_slots[--r->nfree];
  } else if (ok && r->nslots < SLOT_MASK &&
             grow((void **)&r->slots, &r->capslots, r->nslots + 1, sizeof(session *))) {
    size_t cap = r->capslots;
    void *g = realloc(r->gens, cap * sizeof(uint32_t));
    ok = g != NULL;
    if (ok) r->gens = g;
    slot = (uint32_t)r->nslots;
    if (ok) {
      r->slots[slot] = NULL;
      r->gens[slot] = 0;
      r->nslots++;
    }
  } else {
    ok = false;
    slot = 0;
  }
  uint32_t gen = ok ? r->gens[slot] : 0;
  if (ok) r->cmds[r->ncmds++] = (cmd){.kind = CMD_ADD, .slot = slot, .gen = gen, .fd = {own[0], own[1]}};
  pthread_mutex_unlock(&r->mu);
  if (!ok) {
    close(own[0]);
    close(own[1]);
    napi_throw_error(env, NULL, "the relay is out of memory");
    return NULL;
  }
  wake(r);
  napi_value id;
  napi_create_double(env, session_id(slot, gen), &id);
  return id;
}

// end(id): closes both sockets of the session at once (no-op when it already ended)
static napi_value relay_end(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  relay *r = unwrap(env, info, &argc, argv);
  double id;
  if (r == NULL || r->stopped || argc < 1 || napi_get_value_double(env, argv[0], &id) != napi_ok)
    return NULL;
  uint64_t v = (uint64_t)id;
  pthread_mutex_lock(&r->mu);
  if (grow((void **)&r->cmds, &r->capcmds, r->ncmds + 1, sizeof(cmd)))
    r->cmds[r->ncmds++] = (cmd){.kind = CMD_END, .slot = (uint32_t)(v & SLOT_MASK), .gen = (uint32_t)(v >> SLOT_BITS)};
  pthread_mutex_unlock(&r->mu);
  wake(r);
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
