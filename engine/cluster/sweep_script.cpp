// sweep.sbatch: the job array script, written to be read (and edited) by the person who submits
// it: the cluster's options as #SBATCH lines, the set-up lines, then one line per task.
#include <sstream>

#include "engine/cluster/sweep.h"

namespace gwb::cluster {
namespace {

// A word for bash: as is when it holds only safe characters, else in single quotes.
std::string shellWord(const std::string& s) {
  const bool safe = !s.empty() && s.find_first_not_of(
                                      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789_/.:=@%+,-") == std::string::npos;
  if (safe) return s;
  std::string out = "'";
  for (const char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// A value of an #SBATCH line: sbatch strips double quotes there.
std::string directiveValue(const std::string& s) {
  return s.find_first_of(" \t") == std::string::npos ? s : "\"" + s + "\"";
}

// A word inside double quotes.
std::string doubleQuoted(const std::string& s) {
  std::string out = "\"";
  for (const char c : s) {
    if (c == '"' || c == '$' || c == '`' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string relativeTo(const std::string& path, const std::string& dir) {
  const std::string prefix = dir + "/";
  return path.compare(0, prefix.size(), prefix) == 0 ? path.substr(prefix.size()) : path;
}

}  // namespace

std::string sbatchScript(const Sweep& s) {
  const ClusterOptions& o = s.options;
  std::ostringstream out;
  const std::size_t configurations =
      s.tasks.size() / static_cast<std::size_t>(std::max<std::int64_t>(1, s.seeds));
  out << "#!/bin/bash\n"
      << "# Grassmann Workbench sweep " << s.id << ": " << s.task << " " << s.family << ", "
      << s.tasks.size() << " tasks\n# (" << configurations << " configurations x " << s.seeds
      << (s.seeds == 1 ? " seed" : " seeds") << "), written " << s.created << ".\n"
      << "# Each array task trains one configuration into its own run directory with\n"
      << "# `gwb train CONFIG --run-dir DIR`: a task that starts again (requeue, preemption,\n"
      << "# resubmission) resumes its last checkpoint, a finished one exits at once. SIGTERM\n"
      << "# (scancel, preemption, the time limit's warning) leaves a resumable checkpoint.\n"
      << "# Resubmit tasks 1 and 3:  sbatch --array=1,3 " << shellWord(s.script) << "\n"
      << "#                    or:  gwb sweep submit " << shellWord(s.dir) << " --tasks 1,3\n";
  if (!s.sets.empty()) {
    out << "# Overrides (--set):";
    for (const std::string& set : s.sets) out << " " << shellWord(set);
    out << "\n";
  }
  out << "#SBATCH --job-name=gwb-" << s.id << "\n"
      << "#SBATCH --array=0-" << (s.tasks.empty() ? 0 : s.tasks.size() - 1) << "\n"
      << "#SBATCH --output=" << directiveValue(s.dir + "/logs/task-%a.out") << "\n"
      << "#SBATCH --open-mode=append\n"
      << "#SBATCH --requeue\n"
      << "#SBATCH --signal=B:TERM@" << o.grace_s << "\n";
  const auto directive = [&](const char* name, const std::string& value) {
    if (!value.empty()) out << "#SBATCH --" << name << "=" << directiveValue(value) << "\n";
  };
  directive("partition", o.partition);
  directive("account", o.account);
  directive("time", o.time);
  directive("gres", o.gres);
  directive("cpus-per-task", o.cpus_per_task > 0 ? std::to_string(o.cpus_per_task) : "");
  directive("mem", o.mem);
  out << "\nset -eo pipefail  # not -u: module systems' shell functions read unset variables\n";
  if (!o.setup.empty()) {
    out << "\n# Set-up (--setup)\n";
    for (const std::string& line : o.setup) out << line << "\n";
  }
  out << "\n# $GWB overrides the gwb the tasks run (it must be reachable from the compute nodes)\n"
      << "GWB=\"${GWB:-" << doubleQuoted(s.gwb) << "}\"\n"
      << "SWEEP=" << shellWord(s.dir) << "\n"
      << "RUNS=" << shellWord(s.runs_dir) << "\n"
      << "\n# task) configuration (in $SWEEP)  run directory (in $RUNS)\n"
      << "case \"${SLURM_ARRAY_TASK_ID:?submit this script with sbatch}\" in\n";
  for (const SweepTask& t : s.tasks) {
    out << "  " << t.index << ") config=" << shellWord(relativeTo(t.config, s.dir))
        << " run=" << shellWord(relativeTo(t.run_dir, s.runs_dir)) << " ;;\n";
  }
  out << "  *) echo \"gwb sweep " << s.id << ": no task ${SLURM_ARRAY_TASK_ID}\" >&2; exit 2 ;;\n"
      << "esac\n"
      << "echo \"gwb sweep " << s.id << ": task ${SLURM_ARRAY_TASK_ID} (job ${SLURM_JOB_ID}) "
      << "starts on $(hostname) at $(date -u +%FT%TZ)\" >&2\n"
      << "# which job runs the task now: gwb sweep status follows it even if gwb did not submit "
         "it\n"
      << "echo \"${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}\" "
         ">\"$SWEEP/logs/task-${SLURM_ARRAY_TASK_ID}.job\" "
         "|| true\n"
      << "exec \"$GWB\" train \"$SWEEP/$config\" --run-dir \"$RUNS/$run\"\n";
  return out.str();
}

}  // namespace gwb::cluster
