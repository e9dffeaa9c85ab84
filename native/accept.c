// Accepting on the relay thread (the write port): each client is connected to the master
// JavaScript named, by this thread, and its bytes are relayed once the master answered, in the
// order the clients were accepted. A client with no master to go to, or whose master refused or
// did not answer in time, goes back to JavaScript, which holds it until there is one
// (src/proxy/server.ts). Every master change ends the sessions to the earlier one.
#include "relay.h"

// the epoll tag of the listening socket
char listen_tag;

#define ACCEPTS_PER_WAKEUP 64
// out of descriptors or memory: accepting pauses this long rather than spinning
#define ACCEPT_PAUSE_MS 100

// with mu held: JavaScript gets `fd` back, a client to route itself (closed when memory ran out)
static void hand_back_locked(relay *r, int fd) {
  if (!grow((void **)&r->back, &r->capback, r->nback + 1, sizeof(int))) {
    close(fd);
    return;
  }
  r->back[r->nback++] = fd;
}

void unqueue(relay *r, session *s) {
  if (s->q_prev) s->q_prev->q_next = s->q_next; else r->q_head = s->q_next;
  if (s->q_next) s->q_next->q_prev = s->q_prev; else r->q_tail = s->q_prev;
  s->q_prev = s->q_next = NULL;
  s->queued = false;
  if (s->connecting) {
    s->connecting = false;
    r->connecting--;
  }
}

// the session ends here; its client goes back to JavaScript, unread
static void back_out(relay *r, session *s) {
  int client = s->fd[0];
  epoll_ctl(r->epfd, EPOLL_CTL_DEL, client, NULL);
  s->fd[0] = -1;
  kill_session(r, s);
  pthread_mutex_lock(&r->mu);
  hand_back_locked(r, client);
  pthread_mutex_unlock(&r->mu);
}

// JavaScript counts the session from now on (and can end it); false when memory ran out
static bool tell_started(relay *r, session *s) {
  pthread_mutex_lock(&r->mu);
  bool told = grow((void **)&r->starts, &r->capstarts, r->nstarts + 2, sizeof(double));
  if (told) {
    r->starts[r->nstarts++] = session_id(s->slot, s->gen);
    r->starts[r->nstarts++] = (double)s->target_gen;
  }
  pthread_mutex_unlock(&r->mu);
  return told;
}

// the sessions at the head of the accept order whose backend answered: their clients are read
// from now on, what they sent while they waited first. Only now does JavaScript hear of them: a
// session still waiting may yet go back to it (a master change), and must not count twice
void release_queue(relay *r) {
  while (r->q_head != NULL && !r->q_head->connecting) {
    session *s = r->q_head;
    unqueue(r, s);
    if (!tell_started(r, s)) {
      kill_session(r, s);
      continue;
    }
    pump(r, s, 0, SCRATCH_SIZE);
    if (!s->dead) update_interest(r, s);
  }
}

// the backend answered; the session goes when the ones accepted before it went
static void connected(relay *r, session *s) {
  s->connecting = false;
  r->connecting--;
  set_interest(r, s, 1, 0);
  release_queue(r);
}

void on_queued_event(relay *r, session *s, int side, uint32_t events) {
  if (side == 1 && s->connecting && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
    int err = 0;
    socklen_t len = sizeof err;
    if (getsockopt(s->fd[1], SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
    if (err != 0) back_out(r, s);
    else connected(r, s);
    return;
  }
  // the client (or the backend) went away while it waited
  if (events & (EPOLLERR | EPOLLHUP)) kill_session(r, s);
}

// a connect to `to` for the client just accepted; the client goes back to JavaScript when it fails
static void start_connect(relay *r, int client, uint32_t slot, uint32_t sgen,
                          const struct sockaddr_storage *to, socklen_t len, uint32_t gen) {
  int backend = socket(to->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  session *s = backend < 0 || injected_failure(r, FAULT_SESSION) ? NULL : calloc(1, sizeof *s);
  int rc = -1;
  if (s != NULL) {
    int one = 1;
    setsockopt(backend, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    rc = connect(backend, (const struct sockaddr *)to, len);
  }
  if (s == NULL || (rc != 0 && errno != EINPROGRESS)) {
    // refused at once, or out of memory or descriptors: JavaScript holds it and tries again
    free(s);
    if (backend >= 0) close(backend);
    pthread_mutex_lock(&r->mu);
    free_slot(r, slot, sgen);
    hand_back_locked(r, client);
    pthread_mutex_unlock(&r->mu);
    return;
  }
  s->slot = slot;
  s->gen = sgen;
  s->fd[0] = client;
  s->fd[1] = backend;
  for (int x = 0; x < 2; x++) {
    s->ep[x].s = s;
    s->ep[x].side = x;
  }
  s->native = true;
  s->target_gen = gen;
  s->connect_by = now_ms() + r->connect_timeout_ms;
  s->next = r->all;
  if (r->all) r->all->prev = s;
  r->all = s;
  pthread_mutex_lock(&r->mu);
  r->slots[slot] = s;
  pthread_mutex_unlock(&r->mu);
  // in the accept order from now on; the client is not read until its turn
  s->queued = true;
  s->connecting = true;
  r->connecting++;
  s->q_prev = r->q_tail;
  if (r->q_tail) r->q_tail->q_next = s; else r->q_head = s;
  r->q_tail = s;
  s->interest[1] = EPOLLOUT;
  struct epoll_event none = {.events = 0, .data.ptr = &s->ep[0]};
  struct epoll_event out = {.events = EPOLLOUT, .data.ptr = &s->ep[1]};
  if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, client, &none) != 0 ||
      epoll_ctl(r->epfd, EPOLL_CTL_ADD, backend, &out) != 0) {
    back_out(r, s);
    return;
  }
  if (rc == 0) connected(r, s);
}

void on_listen(relay *r) {
  for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
    int fd = accept4(r->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR || errno == ECONNABORTED)
        return;
      // out of descriptors or memory: the pending clients wait in the kernel's queue a moment
      struct epoll_event none = {.events = 0, .data.ptr = &listen_tag};
      epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->listen_fd, &none);
      r->accept_resume_at = now_ms() + ACCEPT_PAUSE_MS;
      return;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&r->mu);
    struct sockaddr_storage to = r->target;
    socklen_t len = r->target_len;
    uint32_t gen = r->target_gen;
    uint32_t slot = 0;
    bool ok = len > 0 && !r->failed && reserve_slot(r, &slot);
    uint32_t sgen = ok ? r->gens[slot] : 0;
    if (!ok) hand_back_locked(r, fd);
    pthread_mutex_unlock(&r->mu);
    if (ok) start_connect(r, fd, slot, sgen, &to, len, gen);
  }
}

// connects past their deadline go back to JavaScript; a paused accept resumes
void expire_connects(relay *r) {
  int64_t now = now_ms();
  for (session *s = r->q_head, *next; s != NULL; s = next) {
    next = s->q_next;
    if (s->connecting && s->connect_by <= now) back_out(r, s);
  }
}

void resume_accepting(relay *r) {
  if (r->accept_resume_at == 0 || r->accept_resume_at > now_ms()) return;
  r->accept_resume_at = 0;
  struct epoll_event in = {.events = EPOLLIN, .data.ptr = &listen_tag};
  epoll_ctl(r->epfd, EPOLL_CTL_MOD, r->listen_fd, &in);
}

// the master changed: sessions to the earlier one end; clients still waiting go back to
// JavaScript (they sent nothing to it yet), to be routed to the new one
void apply_target(relay *r) {
  pthread_mutex_lock(&r->mu);
  uint32_t gen = r->target_gen;
  pthread_mutex_unlock(&r->mu);
  for (session *s = r->all, *next; s != NULL; s = next) {
    next = s->next;
    if (!s->native || s->target_gen == gen) continue;
    if (s->queued) back_out(r, s);
    else kill_session(r, s);
  }
}
