// MainWindow: layout, menus, settings, About.
#include "ui/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QDir>
#include <QFileDialog>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QUrl>

#include "engine/util/paths.h"
#include "ui/compare_view.h"
#include "ui/data_page.h"
#include "ui/metrics_store.h"
#include "ui/monitor_view.h"
#include "ui/run_browser.h"
#include "ui/run_queue_widget.h"
#include "ui/run_setup_panel.h"
#include "ui/study_page.h"

namespace gwb::ui {

MainWindow::MainWindow(AboutInfo about, QWidget* parent)
    : QMainWindow(parent), about_(std::move(about)) {
  setWindowTitle(tr("Grassmann Workbench"));
  setWindowIcon(QIcon(":/icons/grassmann-workbench.png"));
  store_ = new MetricsStore(this);
  setup_ = new RunSetupPanel;
  queue_ = new RunQueueWidget;
  auto* setup_page = new QSplitter(Qt::Horizontal);  // the configuration beside the queue
  setup_page->addWidget(setup_);
  setup_page->addWidget(queue_);
  setup_page->setStretchFactor(0, 2);
  setup_page->setStretchFactor(1, 3);
  monitor_ = new MonitorView(store_);
  browser_ = new RunBrowser;
  compare_ = new CompareView(store_);
  study_ = new StudyPage;
  data_page_ = new DataPage;
  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  tabs_->addTab(setup_page, QIcon(":/icons/start.png"), tr("Set up && queue"));
  tabs_->addTab(monitor_, QIcon(":/icons/monitor.png"), tr("Monitor"));
  tabs_->addTab(browser_, QIcon(":/icons/runs.png"), tr("Runs"));
  tabs_->addTab(compare_, QIcon(":/icons/compare.png"), tr("Compare"));
  tabs_->addTab(study_, QIcon(":/icons/compare.png"), tr("Study"));
  tabs_->addTab(data_page_, QIcon(":/icons/data.png"), tr("Data"));
  setCentralWidget(tabs_);
  createMenus();
  // This process's CPU and memory, always in sight (the Monitor charts them over time).
  auto* usage = new QLabel;
  usage->setObjectName(QStringLiteral("process_usage"));
  usage->setToolTip(tr("This process: CPU in % of one core over the last 2 s, resident memory"));
  statusBar()->addPermanentWidget(usage);
  connect(monitor_, &MonitorView::processSampled, usage, [usage](double cpu, qint64 rss) {
    usage->setText(tr("CPU %1 % · memory %2 GiB")
                       .arg(cpu, 0, 'f', 0)
                       .arg(static_cast<double>(rss) / (1024.0 * 1024.0 * 1024.0), 0, 'f', 2));
  });
  statusBar()->showMessage(tr("LibTorch %1 · %2")
                               .arg(about_.libtorch, about_.cuda_device.isEmpty()
                                                         ? tr("CPU, %1 threads").arg(about_.threads)
                                                         : about_.cuda_device));
  connect(browser_, &RunBrowser::openRequested, this,
          [this](const QStringList& dirs) { openRuns(dirs); });
  connect(browser_, &RunBrowser::compareRequested, this, &MainWindow::compareRuns);
  connect(browser_, &RunBrowser::runsDirChanged, study_, &StudyPage::setRunsDir);
  connect(study_, &StudyPage::openRunsRequested, this,
          [this](const QStringList& dirs) { openRuns(dirs); });
  connect(study_, &StudyPage::messageShown, this,
          [this](const QString& text) { statusBar()->showMessage(text, 10000); });
  resize(1280, 820);
  QSettings settings;
  restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
  restoreState(settings.value("mainWindow/state").toByteArray());
  tabs_->setCurrentIndex(settings.value("mainWindow/tab", 0).toInt());
  browser_->setRunsDir(
      settings.value("runs/dir", QString::fromStdString(gwb::runsDir())).toString());
  monitor_->restoreSettings(settings);  // smoothing, log y and x axis as they were left
  // Open on the embedded data: count it as soon as the event loop runs (the cache makes it quick).
  QTimer::singleShot(0, data_page_, &DataPage::computeStats);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* open = file->addAction(tr("&Open run…"), this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("A run directory"));
    if (!dir.isEmpty()) openRuns({dir});
  });
  open->setShortcut(QKeySequence::Open);
  QAction* count = file->addAction(tr("&Count data splits"), data_page_, &DataPage::computeStats);
  count->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  QMenu* run = menuBar()->addMenu(tr("&Run"));
  QAction* start = run->addAction(QIcon(":/icons/start.png"), tr("&Start run"), this, [this] {
    showTab(setup_);
    setup_->requestStart();  // with errors: shows the first one instead of doing nothing
  });
  start->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Return));
  QAction* stop = run->addAction(QIcon(":/icons/stop.png"), tr("S&top selected run"), this, [this] {
    const QString id = queue_->selectedId();
    if (!id.isEmpty()) emit queue_->stopRequested(id);
  });
  stop->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Period));
  QMenu* view = menuBar()->addMenu(tr("&View"));
  for (int i = 0; i < tabs_->count(); ++i) {
    // The tab's text as it is: "Set up && queue" shows as "Set up & queue" in a menu too.
    QAction* a = view->addAction(tabs_->tabText(i), this, [this, i] { tabs_->setCurrentIndex(i); });
    a->setShortcut(QKeySequence(Qt::ALT | static_cast<Qt::Key>(Qt::Key_1 + i)));
  }
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  // The README is the user's guide (workflows, recipes, studies, the command line, formats); the
  // figures it shows are beside it. Both are installed with the data (share/grassmann-workbench).
  QAction* guide = help->addAction(tr("&User guide (README)"), this, [this] {
    if (!QDesktopServices::openUrl(QUrl::fromLocalFile(userGuidePath())))
      QMessageBox::information(this, tr("User guide"),
                               tr("Open %1 in a browser or an editor.").arg(userGuidePath()));
  });
  guide->setShortcut(QKeySequence::HelpContents);
  guide->setObjectName(QStringLiteral("help_guide"));
  help->addAction(tr("Command line: gwb --help, gwb COMMAND --help"), this, [this] {
    QMessageBox::information(
        this, tr("Command line"),
        tr("gwb, the headless twin, is beside this program (%1). Every command has --help; the "
           "README's sections show each one with an example.")
            .arg(QDir::toNativeSeparators(QCoreApplication::applicationDirPath() + "/gwb")));
  });
  help->addSeparator();
  help->addAction(tr("&About Grassmann Workbench"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
}

QStringList MainWindow::openRuns(const QStringList& dirs, bool show) {
  QStringList keys, errors;
  for (const QString& d : dirs) {
    try {
      keys << store_->open(d);
    } catch (const std::exception& e) {
      errors << QString::fromUtf8(e.what());
    }
  }
  if (!errors.isEmpty()) QMessageBox::warning(this, tr("Open run"), errors.join('\n'));
  for (const QString& key : keys) monitor_->setRunVisible(key, true);  // unticked before: shown
  if (show && !keys.isEmpty()) showTab(monitor_);
  return keys;
}

void MainWindow::compareRuns(const QStringList& dirs) {
  const QStringList keys = openRuns(dirs, /*show=*/false);
  compare_->setRuns(keys);
  showTab(compare_);
}

void MainWindow::showTab(QWidget* page) {
  for (int i = 0; i < tabs_->count(); ++i) {
    QWidget* w = tabs_->widget(i);
    if (w == page || w->isAncestorOf(page)) tabs_->setCurrentIndex(i);
  }
}

QString MainWindow::aboutText() const {
  return tr("<h3>Grassmann Workbench %1</h3>"
            "<p>Does attention need to be attention? Train Causal Grassmann mixing and a "
            "size-matched Transformer side by side and compare them with the paper "
            "(arXiv 2512.19428) and its reproductions.</p>"
            "<table>"
            "<tr><td>Commit</td><td>%2</td></tr>"
            "<tr><td>Qt</td><td>%3</td></tr>"
            "<tr><td>LibTorch</td><td>%4</td></tr>"
            "<tr><td>Device</td><td>%5</td></tr>"
            "</table>"
            "<p>GPL-3.0-or-later. Data: WikiText-2 (CC BY-SA 3.0), SNLI 1.0 (CC BY-SA 4.0), "
            "GPT-2 vocabulary (MIT), BERT vocabulary (Apache-2.0).</p>")
      .arg(about_.version, about_.git_commit, QString::fromLatin1(qVersion()), about_.libtorch,
           about_.cuda_device.isEmpty() ? tr("CPU (%1 threads)").arg(about_.threads)
                                        : about_.cuda_device);
}

QString MainWindow::userGuidePath() const {
  return QDir::cleanPath(QString::fromStdString(shareDir()) + QStringLiteral("/README.md"));
}

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Grassmann Workbench"), aboutText());
}

bool MainWindow::confirm(const QString& title, const QString& question) {
  if (confirm_handler_) return confirm_handler_(title, question);
  return QMessageBox::question(this, title, question) == QMessageBox::Yes;
}

void MainWindow::closeEvent(QCloseEvent* event) {
  if (close_guard_ && !close_guard_()) {
    event->ignore();
    return;
  }
  QSettings settings;
  settings.setValue("mainWindow/geometry", saveGeometry());
  settings.setValue("mainWindow/state", saveState());
  settings.setValue("mainWindow/tab", tabs_->currentIndex());
  settings.setValue("runs/dir", browser_->runsDir());
  monitor_->saveSettings(settings);
  event->accept();
}

}  // namespace gwb::ui
