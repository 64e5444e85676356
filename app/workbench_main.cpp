// grassmann-workbench: the desktop application, and its headless exporter:
//   grassmann-workbench                      open the workbench
//   grassmann-workbench --export RUN_DIR...|STUDY_DIR --out DIR [--width 1200] [--height 800]
//   [--scale 1] [--charts all|NAME,...]
// The exporter chooses the offscreen platform itself, prints the written paths as a JSON array,
// and exits 2 on a bad run directory.
#include "engine/runtime/torch_runtime.h"
#include "engine/util/build_info.h"
#include "engine/util/error.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <cstdio>
#include <cstring>

#include "app/controller/run_controller.h"
#include "app/workbench.h"
#include "engine/util/paths.h"
#include "ui/main_window.h"
#include "ui/run_export.h"
#include "ui/study_export.h"
#include "ui/study_page.h"
#include "ui/sweep_monitor.h"

namespace {

int runExport(const QCommandLineParser& parser) {
  const QStringList dirs = QStringList(parser.value("export")) + parser.positionalArguments();
  if (!parser.isSet("out")) {
    std::fprintf(stderr,
                 "grassmann-workbench: error: --out: expected an output folder, got none\n");
    return 2;
  }
  gwb::ui::ExportOptions options;
  bool ok_w = true, ok_h = true, ok_s = true;
  options.width = parser.value("width").toInt(&ok_w);
  options.height = parser.value("height").toInt(&ok_h);
  options.scale = parser.value("scale").toDouble(&ok_s);
  if (!ok_w || !ok_h || !ok_s || options.width < 16 || options.height < 16 || options.scale < 1 ||
      options.scale > 3) {
    std::fprintf(stderr,
                 "grassmann-workbench: error: --width/--height/--scale: expected sizes >= 16 and a "
                 "scale in 1..3\n");
    return 2;
  }
  if (parser.isSet("charts")) {
    const QString value = parser.value("charts").trimmed();
    const QStringList known = gwb::ui::allChartNames();
    options.charts = value == "all" ? known : value.split(',', Qt::SkipEmptyParts);
    for (QString& name : options.charts) {
      name = name.trimmed();
      if (!known.contains(name)) {
        std::fprintf(stderr,
                     "grassmann-workbench: error: --charts: expected 'all' or names from %s, got "
                     "'%s'\n",
                     qPrintable(known.join(", ")), qPrintable(name));
        return 2;
      }
    }
  }
  try {
    // A study folder exports the Study page's charts and tables; run directories their own.
    const bool study = dirs.size() == 1 && QFileInfo::exists(dirs.front() + "/study.json");
    const QStringList files =
        study ? gwb::ui::exportStudyDirectory(dirs.front(), parser.value("out"), options)
              : gwb::ui::exportRunDirectories(dirs, parser.value("out"), options);
    std::printf("%s\n", QJsonDocument(QJsonArray::fromStringList(files))
                            .toJson(QJsonDocument::Compact)
                            .constData());
    return 0;
  } catch (const gwb::InputError& e) {
    std::fprintf(stderr, "grassmann-workbench: error: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "grassmann-workbench: error: %s\n", e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  gwb::tuneMalloc();  // before Qt or anything else starts a thread
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--export") == 0) qputenv("QT_QPA_PLATFORM", "offscreen");
  }
  QApplication app(argc, argv);
  QApplication::setOrganizationName("GrassmannWorkbench");
  QApplication::setApplicationName("grassmann-workbench");
  QApplication::setApplicationDisplayName("Grassmann Workbench");
  QApplication::setApplicationVersion(gwb::projectVersion());
  QApplication::setWindowIcon(QIcon(":/icons/grassmann-workbench.png"));

  QCommandLineParser parser;
  parser.setApplicationDescription("Train and compare Grassmann and Transformer language models");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addOption(
      {"export", "Export charts and tables of RUN_DIR (more may follow) and exit.", "RUN_DIR"});
  parser.addOption({"out", "Folder for --export.", "DIR"});
  parser.addOption({"width", "Image width for --export (default 1200).", "PIXELS", "1200"});
  parser.addOption({"height", "Image height for --export (default 800).", "PIXELS", "800"});
  parser.addOption({"scale", "PNG scale for --export, 1 to 3 (default 1).", "SCALE", "1"});
  parser.addOption(
      {"charts",
       "Run charts for --export: 'all' (also throughput, lr, grad_norm and the probes' "
       "maps) or names separated by commas (default: CONTRACTS.md's set).",
       "NAMES"});
  parser.addPositionalArgument(
      "RUN_DIR", "Run directories to open (or to export), or a study folder for the Study page.",
      "[RUN_DIR...|STUDY_DIR]");
  if (!parser.parse(QApplication::arguments())) {
    std::fprintf(stderr, "grassmann-workbench: error: %s\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet("help")) parser.showHelp(0);
  if (parser.isSet("version")) parser.showVersion();
  if (parser.isSet("export")) return runExport(parser);

  gwb::initTorchThreads();
  const gwb::RuntimeInfo runtime = gwb::runtimeInfo();
  gwb::ui::AboutInfo about{QString::fromLatin1(gwb::projectVersion()),
                           QString::fromLatin1(gwb::gitCommit()),
                           QString::fromStdString(runtime.libtorch_version),
                           QString::fromStdString(runtime.cuda_device), runtime.threads};
  gwb::ui::MainWindow window(about);
  gwb::RunController controller(QString::fromStdString(gwb::runsDir()));
  gwb::connectWorkbench(window, controller);
  gwb::ui::SweepMonitor sweeps;
  gwb::connectCluster(window, sweeps);
  // grassmann-workbench RUN_DIR... opens runs in the Monitor; a study folder opens on the Study
  // page.
  QStringList runs;
  for (const QString& arg : parser.positionalArguments()) {
    if (QFileInfo::exists(arg + "/study.json")) {
      QString error;
      if (window.studyPage()->openStudy(arg, &error)) {
        window.showTab(window.studyPage());
      } else {
        std::fprintf(stderr, "grassmann-workbench: error: %s\n", qPrintable(error));
      }
    } else {
      runs << arg;
    }
  }
  if (!runs.isEmpty()) window.openRuns(runs);
  window.show();
  return QApplication::exec();
}
