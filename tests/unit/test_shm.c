/* Unit tests for src/shm.c: the shared write lock across processes. */
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "shm.h"
#include "tap.h"

int
main(void)
{
	struct la_shm *s = la_shm_create();
	int status;
	pid_t pid;

	ok(s != NULL && s->magic == LA_SHM_MAGIC, "segment created");
	la_shm_lock(&s->db_write);
	la_shm_unlock(&s->db_write);
	ok(1, "lock and unlock");
	pid = fork();
	if (pid == 0) {
		/* Die holding the lock, as a crashing worker would. */
		la_shm_lock(&s->db_write);
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	ok(WIFSIGNALED(status), "the holder was killed");
	la_shm_lock(&s->db_write);
	ok(1, "a lock whose owner died is taken over");
	la_shm_unlock(&s->db_write);
	la_shm_lock(&s->db_write);
	la_shm_unlock(&s->db_write);
	ok(1, "and stays usable afterwards");
	return (done_testing());
}
