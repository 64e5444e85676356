// MainWindow: layout, menus, settings, About.
#include "ui/main_window.h"

#include <QApplication>
#include <QCloseEvent>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>

#include "ui/data_page.h"

namespace gwb::ui {

MainWindow::MainWindow(AboutInfo about, QWidget* parent)
    : QMainWindow(parent), about_(std::move(about)) {
  setWindowTitle(tr("Grassmann Workbench"));
  setWindowIcon(QIcon(":/icons/grassmann-workbench.png"));
  tabs_ = new QTabWidget;
  tabs_->setDocumentMode(true);
  data_page_ = new DataPage;
  tabs_->addTab(data_page_, QIcon(":/icons/data.png"), tr("Data"));
  setCentralWidget(tabs_);
  createMenus();
  statusBar()->showMessage(tr("LibTorch %1 · %2")
                               .arg(about_.libtorch, about_.cuda_device.isEmpty()
                                                         ? tr("CPU, %1 threads").arg(about_.threads)
                                                         : about_.cuda_device));
  resize(1100, 720);
  QSettings settings;
  restoreGeometry(settings.value("mainWindow/geometry").toByteArray());
  restoreState(settings.value("mainWindow/state").toByteArray());
  tabs_->setCurrentIndex(settings.value("mainWindow/tab", 0).toInt());
  // Open on the embedded data: count it as soon as the event loop runs (the cache makes it quick).
  QTimer::singleShot(0, data_page_, &DataPage::computeStats);
}

void MainWindow::createMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  QAction* count = file->addAction(tr("&Count data splits"), data_page_, &DataPage::computeStats);
  count->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_R));
  file->addSeparator();
  QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
  quit->setShortcut(QKeySequence::Quit);
  QMenu* help = menuBar()->addMenu(tr("&Help"));
  help->addAction(tr("&About Grassmann Workbench"), this, &MainWindow::showAbout);
  help->addAction(tr("About &Qt"), qApp, &QApplication::aboutQt);
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

void MainWindow::showAbout() {
  QMessageBox::about(this, tr("About Grassmann Workbench"), aboutText());
}

void MainWindow::closeEvent(QCloseEvent* event) {
  QSettings settings;
  settings.setValue("mainWindow/geometry", saveGeometry());
  settings.setValue("mainWindow/state", saveState());
  settings.setValue("mainWindow/tab", tabs_->currentIndex());
  event->accept();
}

}  // namespace gwb::ui
