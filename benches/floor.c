/* The floor for listing processes: open and read each /proc/PID/stat once, and nothing else.
 * No parsing, no output beyond a count. benches/ps_tree.sh builds it with cc and times it beside
 * toolkit ps-tree, pstree and ps. */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    DIR *proc = opendir("/proc");
    if (!proc)
        return 1;
    char path[64], buf[1024];
    long bytes = 0, processes = 0;
    struct dirent *entry;
    while ((entry = readdir(proc))) {
        if (!isdigit((unsigned char)entry->d_name[0]))
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", entry->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t n = read(fd, buf, sizeof buf);
        close(fd);
        if (n > 0) {
            bytes += n;
            processes++;
        }
    }
    closedir(proc);
    printf("%ld processes, %ld bytes\n", processes, bytes);
    return 0;
}
