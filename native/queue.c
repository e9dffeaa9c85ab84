// What passes between JavaScript and the relay thread, under the relay's mutex: sessions handed
// over (queued by add(), taken up in batches), ends asked (a flag per slot), and the ids of ended
// sessions told back through the thread-safe function. Every allocation happens where a session is made.
#include "relay.h"

bool grow(void **items, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return true;
  size_t next = *cap == 0 ? 16 : *cap * 2;
  while (next < need) next *= 2;
  void *p = realloc(*items, next * size);
  if (p == NULL) return false;
  *items = p;
  *cap = next;
  return true;
}

void wake(relay *r) {
  uint64_t one = 1;
  ssize_t ignored = write(r->evfd, &one, sizeof one);
  (void)ignored;
}

// with mu held: the slot's session (of generation gen) ended; add() reserved room in both lists
void free_slot(relay *r, uint32_t slot, uint32_t gen) {
  r->slots[slot] = NULL;
  r->gens[slot] = (r->gens[slot] + 1) & GEN_MASK;
  r->end_asked[slot] = false;
  r->free_slots[r->nfree++] = slot;
  r->ended[r->nended++] = session_id(slot, gen);
}

// with mu held: a slot for one more session, with room reserved for everything the session may
// need later (its end asked, its slot freed, its id told); false when memory ran out
bool reserve_slot(relay *r, uint32_t *slot) {
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

// takes up the sessions JavaScript handed over and ends those it asked to end; true on stop
bool run_commands(relay *r) {
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
  bool retarget = r->retarget;
  r->retarget = false;
  pthread_mutex_unlock(&r->mu);
  session *fresh = NULL, **tail = &fresh;
  for (size_t i = 0; i < n; i++) {
    session *s = add_session(r, &batch[i]);
    if (s == NULL) continue;
    s->next_new = NULL;
    *tail = s;
    tail = &s->next_new;
  }
  take_up(r, fresh);
  if (retarget) apply_target(r);
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

void notify(relay *r) {
  pthread_mutex_lock(&r->mu);
  bool call = (r->nended > 0 || r->nstarts > 0 || r->nback > 0) && !r->notify_pending;
  if (call) r->notify_pending = true;
  pthread_mutex_unlock(&r->mu);
  if (call) napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
}

void notify_always(relay *r) {
  pthread_mutex_lock(&r->mu);
  r->notify_pending = true;
  pthread_mutex_unlock(&r->mu);
  napi_call_threadsafe_function(r->tsfn, NULL, napi_tsfn_nonblocking);
}

// with mu held: the ids call_js took (the first n of `ids`, of capacity cap) could not be told;
// they go back in front of those that ended since, to be told with them next time. No allocation:
// `ids` has room for them all, as reserve_slot reserved it for every session then in use, and no
// reserve_slot ran since (call_js holds mu from the swap to here).
static void untake(relay *r, double *ids, size_t n, size_t cap) {
  memcpy(ids + n, r->ended, r->nended * sizeof(double));
  r->told = r->ended;
  r->captold = r->capended;
  r->ended = ids;
  r->capended = cap;
  r->nended += n;
}

// JavaScript gets arrays of numbers: ended ids, started (id, generation) pairs, descriptors
static bool number_array(napi_env env, size_t n, const double *d, const int *i, napi_value *out) {
  if (napi_create_array_with_length(env, n, out) != napi_ok) return false;
  for (size_t k = 0; k < n; k++) {
    napi_value v;
    if (napi_create_double(env, d != NULL ? d[k] : (double)i[k], &v) != napi_ok ||
        napi_set_element(env, *out, (uint32_t)k, v) != napi_ok)
      return false;
  }
  return true;
}

void call_js(napi_env env, napi_value js_cb, void *context, void *data) {
  (void)data;
  relay *r = context;
  if (env == NULL) return;
  pthread_mutex_lock(&r->mu);
  // the lists change places with the ones told last time: nothing is copied, so nothing is lost
  double *ids = r->ended;
  size_t n = r->nended, cap = r->capended;
  r->ended = r->told;
  r->capended = r->captold;
  r->nended = 0;
  r->told = ids;
  r->captold = cap;
  double *started = r->starts;
  size_t nstarted = r->nstarts, capstarted = r->capstarts;
  r->starts = r->told_starts;
  r->capstarts = r->captold_starts;
  r->nstarts = 0;
  r->told_starts = started;
  r->captold_starts = capstarted;
  int *back = r->back;
  size_t nback = r->nback, capback = r->capback;
  r->back = r->told_back;
  r->capback = r->captold_back;
  r->nback = 0;
  r->told_back = back;
  r->captold_back = capback;
  r->notify_pending = false;
  bool failure = r->failed && !r->failure_told;
  // the lists stay locked while they are read: the relay thread grows them (reserve_slot, on an
  // accept) and a realloc must not move them under this copy
  napi_value argv[4];
  bool ready = !injected_failure(r, FAULT_TELL) && number_array(env, n, ids, NULL, &argv[0]) &&
               number_array(env, nstarted, started, NULL, &argv[2]) &&
               number_array(env, nback, NULL, back, &argv[3]) &&
               (failure ? napi_create_string_utf8(env, r->failure, NAPI_AUTO_LENGTH, &argv[1])
                        : napi_get_undefined(env, &argv[1])) == napi_ok;
  if (!ready) {
    // JavaScript heard nothing: the ended ids (and the failure) wait for the next session that
    // ends, rather than being lost and their sessions counted as open forever. Clients handed
    // back are closed (they see their connection end); sessions started go on uncounted, and end
    // at the next master switch like every other
    untake(r, ids, n, cap);
    pthread_mutex_unlock(&r->mu);
    for (size_t k = 0; k < nback; k++) close(back[k]);
    return;
  }
  if (failure) r->failure_told = true;
  pthread_mutex_unlock(&r->mu);
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  // a callback that throws has the ids; Node reports its exception as uncaught
  napi_call_function(env, undefined, js_cb, 4, argv, NULL);
}
