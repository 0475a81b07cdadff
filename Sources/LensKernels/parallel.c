// A tiny pool of worker threads that spin for a while after each job before sleeping.
//
// Why not DispatchQueue.concurrentPerform: on this kind of VM waking a parked thread costs
// 60-80 µs (measured with `lens-bench --only scan`), a large share of a 1 ms matrix product, and
// back-to-back products (a training step, a benchmark loop) pay it every time. Workers here spin
// ~200 µs after a job, like OpenBLAS's threads, so the next job finds them awake. The spin is
// bounded by the clock, not by a count of pause instructions, whose length differs from CPU to
// CPU by up to 14x (Intel raised it to ~140 cycles in Skylake): 20000 of them were tuned to
// 200 µs on one machine and spun longer on others, CPU time a busy machine's other processes lacked.
//
// One job at a time: a second caller (another thread, or a part that itself asks for parallel
// work) gets -1 and runs its parts itself. Parts are claimed through one atomic ticket that holds
// the job's sequence number and the next part, so a slow worker can never run a part of a newer job.
#include <pthread.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>
#include "lens_kernels.h"

#define PART_BITS 20
#define PART_MASK ((1ULL << PART_BITS) - 1)
#define MAX_WORKERS 7
#define SPIN_NANOSECONDS 200000L
#define PAUSES_PER_CLOCK_READ 32

typedef struct {
    lens_task_fn fn;
    void *context;
    int parts;
    int done;  // atomic
} job_slot;

static job_slot slots[2];                  // the current job and the previous one
static uint64_t ticket;                    // atomic: (sequence << PART_BITS) | next part
static uint64_t sequence;                  // owned by the submitter (under submit_lock)
static pthread_mutex_t submit_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int worker_count;
static pthread_once_t start_once = PTHREAD_ONCE_INIT;

static inline void pause_briefly(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

// Claims and runs parts of job `seq` until none are left (or a newer job has replaced it).
static void work_on(uint64_t seq) {
    for (;;) {
        uint64_t t = __atomic_load_n(&ticket, __ATOMIC_ACQUIRE);
        if ((t >> PART_BITS) != seq) return;
        job_slot *slot = &slots[seq & 1];
        uint64_t part = t & PART_MASK;
        if (part >= (uint64_t)slot->parts) return;
        if (!__atomic_compare_exchange_n(&ticket, &t, t + 1, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
        slot->fn(slot->context, (int)part);
        __atomic_fetch_add(&slot->done, 1, __ATOMIC_RELEASE);
    }
}

static long now_nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return now.tv_sec * 1000000000L + now.tv_nsec;
}

static void *worker_main(void *unused) {
    (void)unused;
    uint64_t last = 0;
    for (;;) {
        uint64_t seq = __atomic_load_n(&ticket, __ATOMIC_ACQUIRE) >> PART_BITS;
        const long until = now_nanoseconds() + SPIN_NANOSECONDS;
        for (int round = 1; seq == last; round++) {
            pause_briefly();
            seq = __atomic_load_n(&ticket, __ATOMIC_ACQUIRE) >> PART_BITS;
            if (round % PAUSES_PER_CLOCK_READ == 0 && now_nanoseconds() >= until) break;
        }
        if (seq == last) {
            pthread_mutex_lock(&sleep_lock);
            while ((seq = __atomic_load_n(&ticket, __ATOMIC_ACQUIRE) >> PART_BITS) == last)
                pthread_cond_wait(&wake, &sleep_lock);
            pthread_mutex_unlock(&sleep_lock);
        }
        last = seq;
        work_on(seq);
    }
    return NULL;
}

static void start_workers(void) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    int wanted = cores > 1 ? (int)(cores - 1) : 0;
    if (wanted > MAX_WORKERS) wanted = MAX_WORKERS;
    pthread_attr_t attributes;
    pthread_attr_init(&attributes);
    pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
    for (int i = 0; i < wanted; i++) {
        pthread_t thread;
        if (pthread_create(&thread, &attributes, worker_main, NULL) != 0) break;
        worker_count++;
    }
    pthread_attr_destroy(&attributes);
}

int lens_parallel_run(int parts, lens_task_fn fn, void *context) {
    if (parts <= 0) return 0;
    if (parts > (int)PART_MASK) return -1;
    pthread_once(&start_once, start_workers);
    if (worker_count == 0 || pthread_mutex_trylock(&submit_lock) != 0) return -1;
    uint64_t seq = ++sequence;
    job_slot *slot = &slots[seq & 1];
    slot->fn = fn;
    slot->context = context;
    slot->parts = parts;
    __atomic_store_n(&slot->done, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&ticket, seq << PART_BITS, __ATOMIC_RELEASE);
    pthread_mutex_lock(&sleep_lock);
    pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleep_lock);
    work_on(seq);
    while (__atomic_load_n(&slot->done, __ATOMIC_ACQUIRE) < parts) pause_briefly();
    pthread_mutex_unlock(&submit_lock);
    return 0;
}
