/* The floor for the readsocket benchmark: accept, read to EOF, reply, close; no parsing, no storage.
 * Two threads accept on one listening socket, as measured in shared/research/floors.md.
 * Build: cc -O2 -pthread -o bare-server bare-server.c ; run: ./bare-server PORT */
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int listener;

static void *serve(void *arg) {
    (void)arg;
    char buf[2048];
    for (;;) {
        int fd = accept(listener, NULL, NULL);
        if (fd < 0) continue;
        ssize_t n;
        while ((n = read(fd, buf, sizeof buf)) > 0) { }
        static const char reply[] = "ok 1\n";
        if (write(fd, reply, sizeof reply - 1) < 0) { /* the client went away */ }
        close(fd);
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: %s PORT\n", argv[0]); return 64; }
    listener = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)atoi(argv[1]));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(listener, 1024) < 0) { perror("bind/listen"); return 1; }
    pthread_t t[2];
    for (int i = 0; i < 2; i++) pthread_create(&t[i], NULL, serve, NULL);
    pthread_join(t[0], NULL);
    return 0;
}
