// The relay thread: one epoll over both sockets of every session; per chunk one recv and one
// send, keeping only what the other side cannot take at once (see relay.h).
#include "relay.h"

int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void set_interest(relay *r, session *s, int side, uint32_t want) {
  if (s->interest[side] == want) return;
  struct epoll_event ev = {.events = want, .data.ptr = &s->ep[side]};
  epoll_ctl(r->epfd, EPOLL_CTL_MOD, s->fd[side], &ev);
  s->interest[side] = want;
}

void update_interest(relay *r, session *s) {
  for (int x = 0; x < 2; x++) {
    uint32_t want = 0;
    if (!s->eof[x] && s->plen[x] == 0) want |= EPOLLIN;
    if (s->plen[1 - x] > 0) want |= EPOLLOUT;
    set_interest(r, s, x, want);
  }
}

void kill_session(relay *r, session *s) {
  if (s->dead) return;
  s->dead = true;
  if (s->queued) unqueue(r, s);
  for (int x = 0; x < 2; x++) {
    // explicit: the socket may still be open elsewhere for a moment, which would keep it in the set
    if (s->fd[x] >= 0) {
      epoll_ctl(r->epfd, EPOLL_CTL_DEL, s->fd[x], NULL);
      close(s->fd[x]);
    }
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

// direction d: read from fd[d] (at most `most` bytes a read), write to fd[1 - d]
void pump(relay *r, session *s, int d, size_t most) {
  for (int i = 0; i < READS_PER_WAKEUP; i++) {
    ssize_t n = recv(s->fd[d], r->scratch, most < SCRATCH_SIZE ? most : SCRATCH_SIZE, 0);
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
  if (s->queued) {
    on_queued_event(r, s, x, events);
    return;
  }
  if ((events & (EPOLLOUT | EPOLLERR | EPOLLHUP)) && s->plen[1 - x] > 0) flush(r, s, 1 - x);
  if (s->dead) return;
  if ((events & (EPOLLIN | EPOLLERR | EPOLLHUP)) && !s->eof[x] && s->plen[x] == 0)
    pump(r, s, x, SCRATCH_SIZE);
  if (s->dead) return;
  update_interest(r, s);
  // a hang-up or error on a socket we neither read nor write: nothing more can pass
  if ((events & (EPOLLERR | EPOLLHUP)) && s->interest[x] == 0) kill_session(r, s);
}

// the session carried from now on, or NULL when it ended at once
session *add_session(relay *r, const cmd *c) {
  session *s = injected_failure(r, FAULT_SESSION) ? NULL : calloc(1, sizeof *s);
  if (s == NULL) {
    // this session cannot be carried: it ends here, and JavaScript is told like for any other
    close(c->fd[0]);
    close(c->fd[1]);
    pthread_mutex_lock(&r->mu);
    free_slot(r, c->slot, c->gen);
    pthread_mutex_unlock(&r->mu);
    return NULL;
  }
  s->slot = c->slot;
  s->gen = c->gen;
  s->first = c->first;
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
      return NULL;
    }
  }
  if (end_now) {
    kill_session(r, s);
    return NULL;
  }
  return s;
}

// The sessions of one hand-over, linked by next_new in the order JavaScript handed them over. What
// their clients had sent by then came before anything that became ready after the hand-over's
// wake-up, later in this batch of events: it goes now, in the order of the hand-over. A session
// handed over before that one with nothing sent yet may have sent since: it goes first. The rest
// waits its turn in the epoll (which lists a socket added now after the events it delivered).
void take_up(relay *r, session *fresh) {
  session *last = NULL;
  for (session *s = fresh; s != NULL; s = s->next_new)
    if (s->first > 0) last = s;
  if (last == NULL) return;
  for (session *s = fresh; s != last->next_new; s = s->next_new) {
    if (s->dead) continue;
    pump(r, s, 0, s->first > 0 ? s->first : SCRATCH_SIZE);
    if (!s->dead) update_interest(r, s);
  }
}


static void expire_lingering(relay *r) {
  int64_t now = now_ms();
  for (session *s = r->all, *next; s != NULL; s = next) {
    next = s->next;
    if (s->linger_at != 0 && s->linger_at <= now) kill_session(r, s);
  }
}

void *relay_main(void *arg) {
  relay *r = arg;
  struct epoll_event events[MAX_EVENTS];
  bool stop = false;
  while (!stop) {
    // a connect in flight is checked against its deadline ten times a second
    int timeout = r->connecting > 0 || r->accept_resume_at != 0 ? 100
                  : r->lingering > 0                             ? 1000
                                                                 : -1;
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
      } else if (events[i].data.ptr == &listen_tag) {
        on_listen(r);
      } else {
        on_event(r, events[i].data.ptr, events[i].events);
      }
    }
    if (r->lingering > 0) expire_lingering(r);
    if (r->connecting > 0) expire_connects(r);
    if (r->accept_resume_at != 0) resume_accepting(r);
    release_queue(r);
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
