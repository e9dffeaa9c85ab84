// The Node-API side, on the main thread: the class `Relay` (new, add, end, stats, stop) that
// src/proxy/native-relay.ts loads, its thread's start and stop, and the test-only fault knob.
#include "relay.h"

void throw_errno(napi_env env, const char *what) {
  char msg[256];
  snprintf(msg, sizeof msg, "%s: %s", what, strerror(errno));
  napi_throw_error(env, NULL, msg);
}

// a Node-API call failed: throws `what` unless that call left its own exception pending
static napi_value fail(napi_env env, const char *what) {
  bool pending = false;
  if (napi_is_exception_pending(env, &pending) != napi_ok || !pending)
    napi_throw_error(env, NULL, what);
  return NULL;
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
  // the port is let go now; clients handed back that JavaScript never heard of are closed
  if (r->listen_fd >= 0) close(r->listen_fd);
  r->listen_fd = -1;
  for (size_t i = 0; i < r->nback; i++) close(r->back[i]);
  r->nback = 0;
}

static void cleanup_hook(void *arg) { stop_relay(arg); }

// frees what relay_new made; the thread is not running
static void free_relay(relay *r) {
  for (size_t i = 0; i < r->ncmds; i++) {
    close(r->cmds[i].fd[0]);
    close(r->cmds[i].fd[1]);
  }
  if (r->listen_fd >= 0) close(r->listen_fd);
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
  free(r->starts);
  free(r->told_starts);
  free(r->back);
  free(r->told_back);
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

relay *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv) {
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
  static const char *const names[FAULT_KINDS] = {"session", "queue", "epoll", "tell"};
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
  r->listen_fd = -1;
  read_fault_knob(r);
  pthread_mutex_init(&r->mu, NULL);
  r->scratch = malloc(SCRATCH_SIZE);
  r->epfd = epoll_create1(EPOLL_CLOEXEC);
  r->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  // edge-triggered: a hand-over's wake-up is listed where it happened among the sessions' bytes,
  // not again where the previous one was delivered (the order take_up relies on)
  struct epoll_event ev = {.events = EPOLLIN | EPOLLET, .data.ptr = NULL};
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
  // what the client sent before now came before anything the relay thread sees after this hand-over
  int first = 0;
  if (ioctl(own[0], FIONREAD, &first) != 0 || first < 0) first = 0;
  if (ok)
    r->cmds[r->ncmds++] =
        (cmd){.slot = slot, .gen = gen, .fd = {own[0], own[1]}, .first = (size_t)first};
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
  double values[2] = {0, 0};
  if (r != NULL) {
    values[0] = (double)atomic_load(&r->bytes[0]);
    values[1] = (double)atomic_load(&r->bytes[1]);
  }
  napi_value arr, v;
  if (napi_create_array_with_length(env, 2, &arr) != napi_ok)
    return fail(env, "the relay cannot report its stats");
  for (uint32_t i = 0; i < 2; i++) {
    if (napi_create_double(env, values[i], &v) != napi_ok ||
        napi_set_element(env, arr, i, v) != napi_ok)
      return fail(env, "the relay cannot report its stats");
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
      {"listen", NULL, relay_listen, NULL, NULL, NULL, napi_default, NULL},
      {"target", NULL, relay_target, NULL, NULL, NULL, napi_default, NULL},
      {"listenFd", NULL, relay_listen_fd, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_value cls;
  // NULL with an exception pending: the require() that loads the addon throws it
  if (napi_define_class(env, "Relay", NAPI_AUTO_LENGTH, relay_new, NULL, 7, methods, &cls) !=
          napi_ok ||
      napi_set_named_property(env, exports, "Relay", cls) != napi_ok)
    return fail(env, "the relay addon cannot define its class Relay");
  return exports;
}
