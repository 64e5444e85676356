// grassmann-workbench: the desktop application. Sets up Qt and LibTorch's threads, gathers the
// versions for the About box and opens the main window. (`--export` arrives with the GUI issue.)
#include "engine/runtime/torch_runtime.h"
#include "engine/util/build_info.h"

#include <QApplication>
#include <QCommandLineParser>
#include <cstdio>

#include "ui/main_window.h"

int main(int argc, char** argv) {
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
  if (!parser.parse(QApplication::arguments())) {
    std::fprintf(stderr, "grassmann-workbench: error: %s\n", qPrintable(parser.errorText()));
    return 2;
  }
  if (parser.isSet("help")) parser.showHelp(0);
  if (parser.isSet("version")) parser.showVersion();

  gwb::initTorchThreads();
  const gwb::RuntimeInfo runtime = gwb::runtimeInfo();
  gwb::ui::AboutInfo about{QString::fromLatin1(gwb::projectVersion()),
                           QString::fromLatin1(gwb::gitCommit()),
                           QString::fromStdString(runtime.libtorch_version),
                           QString::fromStdString(runtime.cuda_device), runtime.threads};
  gwb::ui::MainWindow window(about);
  window.show();
  return QApplication::exec();
}
