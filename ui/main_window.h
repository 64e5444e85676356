// The workbench's main window: menus, a tab per activity (Data now; set-up, runs, monitor and
// comparison arrive with the engine and GUI issues), window state kept in QSettings, and the
// About box with the versions the application passes in (the UI never includes torch).
#pragma once

#include <QMainWindow>

class QTabWidget;

namespace gwb::ui {

class DataPage;

/// Versions shown in the About box, gathered by the application (which may query LibTorch).
struct AboutInfo {
  QString version;
  QString git_commit;
  QString libtorch;
  QString cuda_device;  ///< empty: no CUDA device
  int threads = 1;
};

class MainWindow : public QMainWindow {
  Q_OBJECT

 public:
  explicit MainWindow(AboutInfo about, QWidget* parent = nullptr);

  DataPage* dataPage() const { return data_page_; }
  QTabWidget* tabs() const { return tabs_; }

  /// The About text (also what the About box shows).
  QString aboutText() const;

 protected:
  void closeEvent(QCloseEvent* event) override;

 private:
  void createMenus();
  void showAbout();

  AboutInfo about_;
  QTabWidget* tabs_;
  DataPage* data_page_;
};

}  // namespace gwb::ui
