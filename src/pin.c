// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* Instance lock and bpffs pin directory (see pin.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>

#include "log.h"
#include "pin.h"

static void lock_path(const char *instance, char *buf, size_t len)
{
	snprintf(buf, len, SRFD_RUN_DIR "/%s.lock", instance);
}

int srfd_instance_lock(const char *instance, int *holder)
{
	char path[128], pid[32];
	ssize_t n;
	int fd;

	struct stat a, b;
	int tries;

	*holder = 0;
	mkdir(SRFD_RUN_DIR, 0755);
	lock_path(instance, path, sizeof(path));
	for (tries = 0;; tries++) {
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (fd < 0)
			return -errno;
		if (flock(fd, LOCK_EX | LOCK_NB)) {
			int err = errno == EWOULDBLOCK ? -EBUSY : -errno;

			n = pread(fd, pid, sizeof(pid) - 1, 0);
			if (n > 0) {
				pid[n] = '\0';
				*holder = atoi(pid);
			}
			close(fd);
			return err;
		}
		/*
		 * The previous holder unlinks the file on exit: a lock taken
		 * on that unlinked file is no lock. Only the file the path
		 * names now counts.
		 */
		if (!fstat(fd, &a) && !stat(path, &b) && a.st_ino == b.st_ino &&
		    a.st_dev == b.st_dev)
			break;
		close(fd);
		if (tries == 3)
			return -EAGAIN;
	}
	n = snprintf(pid, sizeof(pid), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, n, 0) != n)
		log_warn("%s: cannot record our pid: %s", path, strerror(errno));
	return fd;
}

void srfd_instance_unlock(int fd, const char *instance)
{
	char path[128];

	if (fd < 0)
		return;
	lock_path(instance, path, sizeof(path));
	/* unlink while still holding it: nobody can lock a dead file */
	unlink(path);
	close(fd);
}

/*
 * 1 if @dir holds nothing but @allowed names (NULL-terminated, may be
 * NULL) besides "." and "..".
 */
static int dir_holds_only(const char *dir, const char *const *allowed)
{
	struct dirent *de;
	DIR *d = opendir(dir);
	int only = 1, i;

	if (!d)
		return 0;
	while (only && (de = readdir(d))) {
		only = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
		for (i = 0; !only && allowed && allowed[i]; i++)
			only = !strcmp(de->d_name, allowed[i]);
	}
	closedir(d);
	return only;
}

static int dir_empty(const char *dir)
{
	return dir_holds_only(dir, NULL);
}

int srfd_bpffs_ensure(const char *dir)
{
	struct statfs sfs;

	if (statfs(dir, &sfs) == 0 && sfs.f_type == BPF_FS_MAGIC)
		return 0;
	/* only an empty (or new) directory: never hide somebody's files */
	if (mkdir(dir, 0700) && errno == EEXIST && !dir_empty(dir)) {
		log_err("%s is neither a bpffs nor an empty directory: refusing "
			"to mount a bpffs over it (set 'bpffs' in the config)", dir);
		return -ENOTEMPTY;
	}
	if (mount("bpf", dir, "bpf", 0, "mode=0700")) {
		log_err("%s is not a bpffs and mounting one failed: %s", dir,
			strerror(errno));
		return -errno;
	}
	log_info("mounted bpffs on %s", dir);
	return 0;
}

void srfd_bpffs_release(const char *dir)
{
	/* what the kernel puts into every new bpffs (BPF_PRELOAD iterators) */
	static const char *const preloaded[] = { "maps.debug", "progs.debug", NULL };
	char path[SRFD_PATH_LEN + 8];
	struct statfs sfs;

	snprintf(path, sizeof(path), "%s/srfd", dir);
	rmdir(path);	/* fails while other instances live there */
	/*
	 * The system's bpffs stays whatever happens; one at the configured
	 * path that nothing uses any more goes, so a flush leaves no mount.
	 */
	if (!strcmp(dir, "/sys/fs/bpf") || statfs(dir, &sfs) ||
	    sfs.f_type != BPF_FS_MAGIC || !dir_holds_only(dir, preloaded))
		return;
	if (umount2(dir, UMOUNT_NOFOLLOW))
		log_warn("bpffs on %s is unused but could not be unmounted: %s",
			 dir, strerror(errno));
	else
		log_info("unmounted the bpffs on %s: nothing uses it any more",
			 dir);
}

int srfd_pin_dir(const struct srfd_config *conf, char *buf, size_t len,
		 int create)
{
	int n;

	n = snprintf(buf, len, "%s/srfd", conf->bpffs);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create)
		mkdir(buf, 0700);
	n = snprintf(buf, len, "%s/srfd/%s", conf->bpffs, conf->instance);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	return 0;
}

int srfd_pin_present(const char *dir)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/srfd_settings", dir);
	return access(path, F_OK) == 0;
}

void srfd_pin_remove(const char *dir)
{
	char path[512];
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d)
		return;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}
