// The Node-API side of accepting (accept.c): listen, target and listenFd of the class `Relay`.
#include "relay.h"

// listen(fd, connectTimeoutMs): this thread accepts on the listening socket `fd` (duplicated;
// the caller closes its own) and connects each client to the target; once only
napi_value relay_listen(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  relay *r = unwrap(env, info, &argc, argv);
  int32_t fd = -1;
  double timeout = 1000;
  if (r == NULL || r->stopped || r->listen_fd >= 0 || argc < 2 ||
      napi_get_value_int32(env, argv[0], &fd) != napi_ok || fd < 0 ||
      napi_get_value_double(env, argv[1], &timeout) != napi_ok || !(timeout >= 1 && timeout <= 3.6e6)) {
    napi_throw_type_error(env, NULL, "listen(fd, connectTimeoutMs) takes a listening socket, once");
    return NULL;
  }
  int own = fcntl(fd, F_DUPFD_CLOEXEC, 3);
  int flags = own < 0 ? -1 : fcntl(own, F_GETFL);
  struct epoll_event in = {.events = EPOLLIN, .data.ptr = &listen_tag};
  if (flags < 0 || fcntl(own, F_SETFL, flags | O_NONBLOCK) != 0) {
    if (own >= 0) close(own);
    throw_errno(env, "the relay cannot take the listening socket");
    return NULL;
  }
  // a thread that already failed accepts nothing: JavaScript keeps the port
  pthread_mutex_lock(&r->mu);
  bool failed = r->failed;
  pthread_mutex_unlock(&r->mu);
  if (failed) {
    close(own);
    napi_throw_error(env, NULL, "the relay thread stopped");
    return NULL;
  }
  r->connect_timeout_ms = (int64_t)timeout;
  r->listen_fd = own;
  if (epoll_ctl(r->epfd, EPOLL_CTL_ADD, own, &in) != 0) {
    r->listen_fd = -1;
    close(own);
    throw_errno(env, "the relay cannot watch the listening socket");
    return NULL;
  }
  return NULL;
}

// target(host, port) or target(): where clients accepted from now on go (none: to JavaScript);
// sessions to the earlier target end
napi_value relay_target(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  relay *r = unwrap(env, info, &argc, argv);
  if (r == NULL || r->stopped) return NULL;
  struct sockaddr_storage to;
  memset(&to, 0, sizeof to);
  socklen_t len = 0;
  if (argc >= 2) {
    char host[64];
    size_t n = 0;
    int32_t port = 0;
    if (napi_get_value_string_utf8(env, argv[0], host, sizeof host, &n) != napi_ok ||
        napi_get_value_int32(env, argv[1], &port) != napi_ok || port <= 0 || port > 65535) {
      napi_throw_type_error(env, NULL, "target(host, port) takes an IP address and a port");
      return NULL;
    }
    struct sockaddr_in *v4 = (struct sockaddr_in *)&to;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&to;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons((uint16_t)port);
      len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons((uint16_t)port);
      len = sizeof *v6;
    } else {
      napi_throw_type_error(env, NULL, "target(host, port) takes an IP address, not a name");
      return NULL;
    }
  }
  pthread_mutex_lock(&r->mu);
  r->target = to;
  r->target_len = len;
  r->target_gen = (r->target_gen + 1) & GEN_MASK;
  r->retarget = true;
  uint32_t gen = r->target_gen;
  pthread_mutex_unlock(&r->mu);
  wake(r);
  napi_value v;
  if (napi_create_double(env, gen, &v) != napi_ok) return NULL;
  return v;
}

// listenFd(): a duplicate of the listening socket (-1: none), for JavaScript to accept on when
// this thread failed
napi_value relay_listen_fd(napi_env env, napi_callback_info info) {
  size_t argc = 0;
  relay *r = unwrap(env, info, &argc, NULL);
  int fd = r == NULL || r->listen_fd < 0 ? -1 : fcntl(r->listen_fd, F_DUPFD_CLOEXEC, 3);
  napi_value v;
  if (napi_create_int32(env, fd, &v) != napi_ok) return NULL;
  return v;
}

