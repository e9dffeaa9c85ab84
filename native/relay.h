// The proxy's byte relay (src/proxy/native-relay.ts loads it): a thread with its own epoll that
// moves bytes between the two sockets of each session, client <-> backend, without calling into
// JavaScript per chunk. The proxy (TypeScript) accepts, routes and connects; it then hands both
// sockets over here and is told, in batches, which sessions ended. Bytes are never parsed.
//
// Per chunk: one recv into the thread's scratch buffer and one send to the other side. Only what
// the other side cannot take at once is kept (at most one read, per direction) and that side stops
// being read until it drained: a client that stops reading holds its backend back, and memory stays
// bounded (no buffer at all for an idle session).
//
// loop.c is the relay thread: its epoll, the sessions and their bytes. queue.c is what passes
// between JavaScript and that thread: sessions handed over, ends asked, ended ids told back.
// accept.c (with its Node-API methods in accept-api.c) lets one thread accept on the write port itself and connect each client to the master
// JavaScript names, as HAProxy does: no Node event-loop turn between a client and its backend.
// addon.c is the Node-API class `Relay` that src/proxy/native-relay.ts uses.
#ifndef QUORUM_RELAY_H
#define QUORUM_RELAY_H

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
#include <sys/ioctl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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

// test-only: QUORUM_RELAY_FAULT=session:N, queue:N, epoll:N or tell:N (read when a relay is made)
// fails that relay's Nth allocation of a session, Nth hand-over queueing, Nth epoll_wait, or Nth
// telling of ended ids (before JavaScript hears them), so that the tests can see what running out
// of memory, or a broken epoll, does
typedef enum { FAULT_SESSION, FAULT_QUEUE, FAULT_EPOLL, FAULT_TELL, FAULT_KINDS } fault_kind;

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
  session *next_new;
  size_t first;
  // accepted here (accept.c): the master generation it was connected to; `queued` while it waits
  // (connecting, or connected behind an earlier one) in the accept order, `connecting` until its
  // backend answered
  bool native;
  bool queued;
  bool connecting;
  uint32_t target_gen;
  int64_t connect_by;
  session *q_prev, *q_next;
};

// a session handed over by JavaScript, not yet taken up by the relay thread; `first` is how many
// bytes the client had sent by then (they came before anything ready after the hand-over)
typedef struct {
  uint32_t slot;
  uint32_t gen;
  int fd[2];
  size_t first;
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
  // allocation happens where a session is made: in add(), which reports its failure to
  // JavaScript, or on an accept (accept.c), which hands the client back or closes it when memory
  // runs out; ending a session and stop() never allocate: their capacity is reserved then.
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
  // accepting (accept.c): the listening socket (-1: JavaScript accepts), the master to connect
  // clients to (guarded by mu; target_len 0: none, clients go back to JavaScript), its generation
  // (every change ends the sessions of the earlier one), and what goes to JavaScript: sessions
  // started (id, generation pairs) and clients handed back (their descriptors)
  int listen_fd;
  int64_t connect_timeout_ms;
  int64_t accept_resume_at;
  struct sockaddr_storage target;
  socklen_t target_len;
  uint32_t target_gen;
  bool retarget;
  double *starts, *told_starts;
  size_t nstarts, capstarts, captold_starts;
  int *back, *told_back;
  size_t nback, capback, captold_back;
  // relay thread only
  session *q_head, *q_tail;
  size_t connecting;
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

// true when the test-only knob says this call of `kind` is to fail
static inline bool injected_failure(relay *r, fault_kind kind) {
  return r->fault_at[kind] > 0 && ++r->faults_seen[kind] == r->fault_at[kind];
}

static inline double session_id(uint32_t slot, uint32_t gen) {
  return (double)(gen & GEN_MASK) * (double)(1u << SLOT_BITS) + (double)slot;
}

// loop.c (the relay thread)
void *relay_main(void *arg);
session *add_session(relay *r, const cmd *c);
void take_up(relay *r, session *fresh);
void kill_session(relay *r, session *s);
void pump(relay *r, session *s, int d, size_t most);
void update_interest(relay *r, session *s);
int64_t now_ms(void);

// addon.c and accept-api.c (the Node-API class `Relay`, on the main thread)
void throw_errno(napi_env env, const char *what);
relay *unwrap(napi_env env, napi_callback_info info, size_t *argc, napi_value *argv);
napi_value relay_listen(napi_env env, napi_callback_info info);
napi_value relay_target(napi_env env, napi_callback_info info);
napi_value relay_listen_fd(napi_env env, napi_callback_info info);

// accept.c (accepting on the relay thread)
extern char listen_tag;
void on_listen(relay *r);
void on_queued_event(relay *r, session *s, int side, uint32_t events);
void unqueue(relay *r, session *s);
void release_queue(relay *r);
void expire_connects(relay *r);
void resume_accepting(relay *r);
void set_interest(relay *r, session *s, int side, uint32_t want);
void apply_target(relay *r);

// queue.c (JavaScript <-> the relay thread)
bool grow(void **items, size_t *cap, size_t need, size_t size);
void wake(relay *r);
void free_slot(relay *r, uint32_t slot, uint32_t gen);
bool reserve_slot(relay *r, uint32_t *slot);
bool run_commands(relay *r);
void notify(relay *r);
void notify_always(relay *r);
void call_js(napi_env env, napi_value js_cb, void *context, void *data);

#endif
