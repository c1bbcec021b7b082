/** memory.stat as the --stats files and the HTML report print it (the percpu line only). */
/**
 * memory.stat's percpu line of every live memory cgroup, as the kernel prints it (`percpu %llu`,
 * bytes), each under a comment naming the cgroup's file
 */
export function formatMemcgPercpu(percpu: Record<string, number>): string {
  return Object.entries(percpu)
    .map(([name, bytes]) => `# /sys/fs/cgroup/${name}/memory.stat\npercpu ${bytes}\n`)
    .join('');
}
